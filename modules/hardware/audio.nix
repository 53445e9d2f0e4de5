# Audio through PipeWire with its PulseAudio and ALSA front ends (and JACK for audio software),
# with rtkit giving its threads real-time priority. PulseAudio is switched off explicitly because
# desktop environments would otherwise pull it in next to PipeWire.
{ config, lib, ... }:
let
  cfg = config.hub.features.audio;
in
{
  options.hub.features.audio = {
    jack = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Offer the JACK API through PipeWire (audio production software).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.pulseaudio.enable = false;
    security.rtkit.enable = true;
    services.pipewire = {
      enable = true;
      alsa.enable = true;
      pulse.enable = true;
      jack.enable = lib.mkDefault cfg.jack;
    };
  };
}
