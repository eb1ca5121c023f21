import { AwsError, validationError } from './aws-error.ts';

/**
 * The parameters of one AWS Query-protocol request (`Action=...&Version=...&Name.member.1=...`),
 * with typed readers that fail the way AWS does.
 */
export class QueryParams {
  readonly #values: Map<string, string>;

  constructor(values: Map<string, string>) {
    this.#values = values;
  }

  static fromForm(body: string): QueryParams {
    const values = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(body)) values.set(key, value);
    return new QueryParams(values);
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  string(name: string): string | undefined {
    return this.#values.get(name);
  }

  required(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.#values.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(raw)) {
      throw new AwsError(
        'ValidationError',
        `Invalid value for parameter ${lowerFirst(name)}, value: ${raw}, type: class java.lang.String, valid types: class java.lang.Integer`,
      );
    }
    return Number(raw);
  }

  boolean(name: string): boolean | undefined {
    const raw = this.#values.get(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw validationError(raw, lowerFirst(name), 'Member must be a boolean');
    return raw === 'true';
  }

  /** `Name.member.1`, `Name.member.2`, ... in index order. */
  list(name: string): string[] {
    const found: Array<[number, string]> = [];
    const prefix = `${name}.member.`;
    for (const [key, value] of this.#values) {
      if (!key.startsWith(prefix)) continue;
      const index = Number(key.slice(prefix.length));
      if (Number.isInteger(index) && index > 0) found.push([index, value]);
    }
    return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }

  /** `Name.member.N.Field` (and nested `Name.member.N.Field.member.M`) as one QueryParams per N. */
  structList(name: string): QueryParams[] {
    const groups = new Map<number, Map<string, string>>();
    const prefix = `${name}.member.`;
    for (const [key, value] of this.#values) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf('.');
      if (dot < 0) continue;
      const index = Number(rest.slice(0, dot));
      if (!Number.isInteger(index) || index < 1) continue;
      let group = groups.get(index);
      if (!group) {
        group = new Map();
        groups.set(index, group);
      }
      group.set(rest.slice(dot + 1), value);
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, values]) => new QueryParams(values));
  }
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
