/** The part of @pushcorn/hocon-parser (which ships no types) that `haze apply` uses. */
declare module '@pushcorn/hocon-parser' {
  interface ParseOptions {
    /** HOCON text to parse. */
    text?: string
    /** A file path or URL to read and parse; includes resolve relative to it. */
    url?: string
    /** Spec-compliant mode: no transforms (`|`), no guessing of types beyond the spec. */
    strict?: boolean
  }
  function parse(options: ParseOptions): Promise<unknown>
  export default parse
}
