declare const UPDYN_VERSION: string;

/** Set by the bundler from package.json. */
export const VERSION: string = typeof UPDYN_VERSION === 'string' ? UPDYN_VERSION : '0.0.0-dev';
export const USER_AGENT = `updyn/${VERSION} (dynamic DNS client; +https://github.com/updyn/updyn)`;
