/** A way to sign in, as the login routes see it. */
export interface SignInProvider {
  /** Route name: `/login/<name>`, `/auth/<name>/callback`. */
  readonly name: string;
  /** What the button says: "Sign in with <label>". */
  readonly label: string;
}
