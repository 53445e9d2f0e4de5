# YAML, JSON and TOML (nix/languages.nix). yamllint's defaults reject what most YAML in the wild
# does (long lines, `on:` in workflows): one relaxed system-wide configuration, which a project's
# own .yamllint still overrides.
import ../../../nix/language-module.nix "data" {
  config = _: {
    environment.etc."yamllint/config".text = ''
      extends: default
      rules:
        line-length: { max: 120, level: warning }
        truthy: { check-keys: false }
        document-start: disable
    '';
    environment.sessionVariables.YAMLLINT_CONFIG_FILE = "/etc/yamllint/config";
  };
}
