/** pgpass (node-postgres' own ~/.pgpass reader) ships no types. */
declare module 'pgpass' {
  function pgpass(info: Record<string, unknown>, cb: (password: string | undefined) => void): void;
  export default pgpass;
}
