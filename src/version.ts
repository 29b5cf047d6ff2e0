/** The version printed by `http-load-check --version`; a test keeps it equal to package.json's. */
export const VERSION = '1.1.0';
