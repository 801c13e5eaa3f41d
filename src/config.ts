// Configuration: the YAML files of the config dir and the daemon's settings, validated once
// (every problem at once, with file and field), then frozen. Each file is checked on its own: an
// invalid one disables only the imports that need it. See docs/configuration.md.
// This module (with src/config/) is the only reader of environment variables.

export { loadConfig, CERTIFIED_TYPES_FILE, type Config, type DisabledImport, type LoadResult } from './config/load.js';
export { configInForce, type InForce } from './config/in-force.js';
export { MAX_YAML_BYTES, readYamlFile } from './config/yaml.js';
export {
  DEFAULT_FILE_PREFIX,
  DEFAULT_PORTS,
  IMPORT_KEYS,
  PROTOCOLS,
  type ImportConfig,
  type Protocol,
  type Schedule,
} from './config/import.js';
export { MAPPING_KEYS } from './config/mapping.js';
export { readSecret, type SecretRef } from './config/secrets.js';
export {
  loadSettings,
  isValidTimeZone,
  DEFAULT_SETTINGS,
  LOG_LEVELS,
  type Settings,
  type SettingsFlags,
} from './config/settings.js';
