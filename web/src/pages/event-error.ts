const SHORT = 60;

/**
 * What the event log's Error column shows: the error code when there is one, else the start of the description
 * (a failed event, a SCIM request refused with a 401 have only that); `title` holds the whole text for a hover.
 */
export function errorCell(event: { errorCode?: string | null; errorDescription?: string | null }): { text: string; title?: string } {
  const description = event.errorDescription ?? undefined;
  if (event.errorCode) return { text: event.errorCode, title: description };
  if (!description) return { text: '' };
  if (description.length <= SHORT) return { text: description, title: description };
  const cut = description.slice(0, SHORT);
  const space = cut.lastIndexOf(' ');
  return { text: `${(space > SHORT / 2 ? cut.slice(0, space) : cut).trimEnd()}…`, title: description };
}
