# Terraform/HCL with OpenTofu (nix/languages.nix). HashiCorp's terraform is BSL-licensed
# (unfree in nixpkgs): a host opts in with hub.features.lang-terraform.terraform.
import ../../../nix/language-module.nix "terraform" {
  options = { lib, pkgs }: {
    terraform = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Also install HashiCorp Terraform (unfree, allowed through hub.allowUnfree), beside OpenTofu.";
    };
    terraformPackage = lib.mkPackageOption pkgs "terraform" { };
  };
  config = cfg: {
    environment.systemPackages = if cfg.terraform then [ cfg.terraformPackage ] else [ ];
    hub.allowUnfree = if cfg.terraform then [ "terraform" ] else [ ];
  };
}
