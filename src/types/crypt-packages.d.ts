// Type declarations for two small CommonJS packages that ship none.

declare module 'apache-md5' {
  /**
   * MD5-crypt. `salt` is a setting such as "$apr1$abcdefgh$" or "$1$abcdefgh$" ("$1$" selects
   * the FreeBSD magic, anything else "$apr1$"). Strings are hashed as latin1 ("ascii"
   * encoding), so pass byte strings (one char per byte).
   */
  function apacheMd5(password: string, salt?: string): string;
  export = apacheMd5;
}

declare module 'unix-crypt-td-js' {
  /** Traditional DES crypt(3): first 8 bytes of `pw` (7 bits each), 2-character salt. */
  function unixCryptTD(pw: string | ArrayLike<number>, salt: string | ArrayLike<number>, returnBytes?: false): string;
  export = unixCryptTD;
}
