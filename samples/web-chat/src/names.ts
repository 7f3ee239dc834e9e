// The server's rule for user ids (src/Realtime.Server/Errors/Ids.cs: 1 to 128 of letters, digits and - _ . : @ |),
// checked here too so a bad name is explained before it is sent.
export const USER_ID_MAX_LENGTH = 128;
const USER_ID = /^[A-Za-z0-9_.:@|-]{1,128}$/;

/** The same rule for the name field's `pattern`, which browsers compile with the `v` flag (`|` and `-` escaped). */
export const USER_ID_PATTERN = "[A-Za-z0-9_.:@\\|\\-]{1,128}";

export const USER_ID_RULE = "1 to 128 letters, digits or - _ . : @ |";

export function isValidUserId(value: string): boolean {
  return USER_ID.test(value);
}

/** Splits "bob, carol dave" into distinct names, in the order typed. */
export function parseMemberList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}
