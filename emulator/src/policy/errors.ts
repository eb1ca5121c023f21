/**
 * Thrown when a policy cannot be evaluated faithfully: it is malformed (AWS would have rejected it
 * when it was saved) or it uses an operator, condition key or variable this emulator does not
 * implement. Callers must treat it as a denial: the evaluator never guesses and never allows
 * silently.
 */
export class UnsupportedPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPolicyError';
  }
}
