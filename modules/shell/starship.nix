# Starship prompt for the Zsh of the zsh feature. The default prompt shows the host (the fleet
# has six, and a deploy in the wrong terminal is the mistake that matters), the directory, git
# state, the Nix shell a project is in, and how long the last command took. Nerd Font symbols
# only with the nerd-fonts feature; otherwise plain text symbols that every terminal renders.
{ config, lib, ... }:
let
  cfg = config.hub.features.starship;
  nerd = config.hub.features.nerd-fonts.enable;
in
{
  options.hub.features.starship = {
    settings = lib.mkOption {
      type = lib.types.attrs;
      default = { };
      description = "starship.toml settings merged over the hub's prompt (attribute by attribute, at the top level).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.starship = {
      enable = true;
      settings = lib.mapAttrs (_: lib.mkDefault) {
        add_newline = false;
        command_timeout = 1000;
        format = "$username$hostname$directory$git_branch$git_status$nix_shell$cmd_duration$line_break$character";
        hostname = { ssh_only = false; format = "[$hostname]($style) "; style = "bold green"; };
        username = { show_always = false; format = "[$user]($style)@"; };
        directory = { truncation_length = 4; truncate_to_repo = true; };
        git_branch = { format = "[${if nerd then " " else "git:"}$branch]($style) "; };
        git_status = { format = "([\\[$all_status$ahead_behind\\]]($style) )"; };
        nix_shell = { format = "[${if nerd then " " else "nix:"}$state( \\($name\\))]($style) "; };
        cmd_duration = { min_time = 2000; format = "[$duration]($style) "; };
        character = { success_symbol = "[❯](bold green)"; error_symbol = "[❯](bold red)"; };
      } // cfg.settings;
    };
  };
}
