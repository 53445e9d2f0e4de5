package monitoring

// Metric names the rules and dashboards depend on, in one place so that a rename in an
// exporter is a one-line change here and the live test (which scrapes the real exporters) names
// the one that went missing.
const (
	// node_exporter.
	metricNodeFilesystemAvail    = "node_filesystem_avail_bytes"
	metricNodeFilesystemSize     = "node_filesystem_size_bytes"
	metricNodeFilesystemReadonly = "node_filesystem_readonly"
	metricNodeCPUSeconds         = "node_cpu_seconds_total"
	metricNodeMemAvailable       = "node_memory_MemAvailable_bytes"
	metricNodeMemTotal           = "node_memory_MemTotal_bytes"
	metricNodeLoad1              = "node_load1"
	metricNodeBootTime           = "node_boot_time_seconds"

	// hub-nixos-exporter (internal/nixosmetrics).
	metricNixOSRebootRequired    = "hub_nixos_reboot_required"
	metricNixOSMicroVMAutostart  = "hub_nixos_microvm_autostart"
	metricNixOSMicroVMRunning    = "hub_nixos_microvm_running"
	metricNixOSLastSwitch        = "hub_nixos_last_switch_timestamp_seconds"
	metricNixOSGenerations       = "hub_nixos_generations"
	metricNixOSCurrentGeneration = "hub_nixos_current_generation"
	metricNixOSProfileGeneration = "hub_nixos_profile_generation"
	metricNixOSCurrentMatches    = "hub_nixos_current_matches"
	metricNixOSSystemInfo        = "hub_nixos_system_info"
	metricNixOSStoreSize         = "hub_nixos_store_size_bytes"
	metricNixOSClosureSize       = "hub_nixos_closure_size_bytes"

	// hub-media-exporter (internal/media).
	metricMediaTargetUp       = "hub_media_up"
	metricMediaSessions       = "hub_media_sessions"
	metricMediaStreams        = "hub_media_streams"
	metricMediaHWTranscodes   = "hub_media_hardware_transcode_streams"
	metricMediaBandwidth      = "hub_media_bandwidth_bytes_per_second"
	metricMediaQueueItems     = "hub_media_queue_items"
	metricMediaWantedItems    = "hub_media_wanted_items"
	metricMediaHealthIssues   = "hub_media_health_issues"
	metricMediaRootFolderFree = "hub_media_root_folder_free_bytes"
	metricMediaLibraryItems   = "hub_media_library_items"

	// hub-baseline-exporter (internal/baseline).
	metricBaselineRegression = "hub_baseline_regression"
	metricBaselineZScore     = "hub_baseline_zscore"
	metricBaselineValue      = "hub_baseline_value"
	metricBaselineMean       = "hub_baseline_mean"

	// internal/exporter: every hub exporter's per-collector success gauge, <namespace>_scrape_collector_success.
	metricCollectorSuccessSuffix = "_scrape_collector_success"
)
