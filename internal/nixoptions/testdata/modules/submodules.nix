# Options inside attribute sets of submodules (users.users.<name>.*), and an alias.
{ ... }:
{
  users.users.alice = {
    isNormalUser = true;
    extraGroups = "wheel";
    isNormalUsr = true;
  };
  isoImage.isoName = "x.iso";
}
