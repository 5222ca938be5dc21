// Names other stages and the CLI's help texts need without loading the
// configuration machinery (yaml, zod).

/** The shipped configuration, used when no --config is given. */
export const DEFAULT_CONFIG_FILE = 'config/refeed.yaml';

/** Group of imported OPML feeds that sit outside any folder. */
export const DEFAULT_IMPORT_GROUP = 'Imported';
