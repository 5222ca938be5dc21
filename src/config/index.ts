export { loadConfig, parseConfig, DEFAULT_CONFIG_FILE } from './load.ts';
export { ConfigError, formatProblem, formatPath, type ConfigProblem } from './errors.ts';
export { resolveConfig, overlay, BUILTIN_DEFAULTS } from './resolve.ts';
export { slugify, uniqueSlugs, isValidSlug } from './slug.ts';
export { parseDuration, parseSize } from './units.ts';
