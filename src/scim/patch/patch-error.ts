/** The RFC 7644 §3.12 `scimType` values a PATCH can be refused with. */
export type PatchScimType = 'invalidSyntax' | 'invalidPath' | 'invalidFilter' | 'noTarget' | 'invalidValue' | 'mutability';

/**
 * A refused PATCH, answered as `400` with `{scimType, detail}`. `detail` starts with where the problem is,
 * e.g. `Operations[2].path: …`, so a client can find the offending operation.
 */
export class PatchError extends Error {
  readonly status = 400;

  constructor(
    readonly scimType: PatchScimType,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'PatchError';
  }
}

export const invalidSyntax = (where: string, problem: string) => new PatchError('invalidSyntax', `${where}: ${problem}`);
export const invalidPath = (where: string, problem: string) => new PatchError('invalidPath', `${where}: ${problem}`);
export const invalidFilter = (where: string, problem: string) => new PatchError('invalidFilter', `${where}: ${problem}`);
export const noTarget = (where: string, problem: string) => new PatchError('noTarget', `${where}: ${problem}`);
export const invalidValue = (where: string, problem: string) => new PatchError('invalidValue', `${where}: ${problem}`);
export const mutability = (where: string, problem: string) => new PatchError('mutability', `${where}: ${problem}`);
