// Edits the config file the way a person would (see editor.ts): add and
// remove channels, keeping every other byte of the file as it was.
export { addChannel } from './add.ts';
export { addChannels, ChannelBatch } from './batch.ts';
export { checkEntry } from './checks.ts';
export { setEnabled, setSetting, unsetSetting } from './level.ts';
export { moveChannel, type MoveOptions } from './move.ts';
export { removeChannels } from './remove.ts';
export { renameEntry, type RenameOptions } from './rename.ts';
export { addRule, listRules, removeRule, showRule, type ListedRule, type RuleEntry, type RuleListing } from './rules.ts';
export { readValue } from './value.ts';
export { findNamed, sameUrl } from './tree.ts';
export { EditError, type BatchResult, type ChannelEntry, type EditErrorCode, type EditResult, type RemoveOptions, type RemoveTarget, type EditTarget } from './types.ts';
