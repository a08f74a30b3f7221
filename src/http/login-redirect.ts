/** Thrown by the guard to send a browser to the login page; the exception filter answers 302. */
export class LoginRedirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
    this.name = 'LoginRedirect';
  }
}
