export { loadConfig, parseConfig, DEFAULT_CONFIG_FILE, type ConfigEnv, type LoadOptions } from './load.ts';
export { isPostgresUrl, stateProblem, queueProblem, queueStateProblem } from './server-urls.ts';
export { ConfigError, formatProblem, formatPath, type ConfigProblem } from './errors.ts';
export { resolveConfig, overlay, BUILTIN_DEFAULTS } from './resolve.ts';
export { slugify, slugOf, legacySlugify, uniqueSlugs, isValidSlug } from './slug.ts';
export { DEFAULT_FALLBACK_IMAGE } from './schema.ts';
export { parseDuration, parseSize } from './units.ts';
export {
  addChannel,
  addChannels,
  ChannelBatch,
  removeChannels,
  renameEntry,
  moveChannel,
  setSetting,
  unsetSetting,
  setEnabled,
  addRule,
  removeRule,
  listRules,
  showRule,
  readValue,
  checkEntry,
  findNamed,
  sameUrl,
  EditError,
  type ChannelEntry,
  type RemoveTarget,
  type EditTarget,
  type RemoveOptions,
  type RenameOptions,
  type MoveOptions,
  type RuleListing,
  type EditResult,
  type BatchResult,
  type EditErrorCode,
} from './edit/index.ts';
export {
  parseOpml,
  decodeOpml,
  planImport,
  exportOpml,
  OpmlError,
  DEFAULT_IMPORT_GROUP,
  REFEED_OPML_NS,
  type OpmlDocument,
  type OpmlOutline,
  type ImportPlan,
  type ImportSkip,
} from './opml.ts';
