import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, as .ci/run installs it; CHROMIUM_PATH elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A headless Chromium that fetches nothing of its own (no updates, no background traffic). */
export async function launchChromium(): Promise<Browser> {
  return chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    })
    .catch((error: Error) => {
      throw new Error(
        `Chromium did not start from ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): ${error.message}`,
      );
    });
}

/** Replaces the playground's indicators with `names`, in order. */
export async function chooseIndicators(page: Page, names: readonly string[]): Promise<void> {
  // The playground (and its default indicators) appears once the catalog has loaded: removing
  // before then would remove nothing and leave the defaults next to the chosen ones.
  await page.getByRole("button", { name: "Add", exact: true }).waitFor();
  const remove = page.locator("li.indicator button.remove");
  while ((await remove.count()) > 0) await remove.first().click();
  for (const name of names) {
    await page.getByLabel("Indicator", { exact: true }).selectOption(name);
    await page.getByRole("button", { name: "Add", exact: true }).click();
  }
}
