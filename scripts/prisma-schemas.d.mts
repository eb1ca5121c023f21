// Types for prisma-schemas.mjs, imported by the TypeScript schema drift test.
export declare const repoRoot: string;
export declare const schemas: ReadonlyArray<{ provider: 'sqlite' | 'postgresql'; schema: string }>;
export declare function renderPostgresSchema(sourceText: string): string;
