/** A shell command that sends the same request, for the "copy as curl" of the playground. */

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The key is never copied: the command reads it from `$API_KEY`, so a pasted command does not
 * leave the key in a chat or a shell history.
 */
export function curlCommand(url: string, body: unknown, needsKey: boolean): string {
  return [
    `curl -sS ${shellQuote(url)}`,
    "-H 'content-type: application/json'",
    ...(needsKey ? ['-H "authorization: Bearer $API_KEY"'] : []),
    `--data-raw ${shellQuote(JSON.stringify(body))}`,
  ].join(" \\\n  ");
}
