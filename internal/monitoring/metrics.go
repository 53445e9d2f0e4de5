package monitoring

// Metric names the rules and dashboards depend on, in one place so that a rename in an
// exporter is a one-line change here and the live test (which scrapes the real exporters) names
// the one that went missing.
const (
	// node_exporter.
	MetricNodeFilesystemAvail    = "node_filesystem_avail_bytes"
	MetricNodeFilesystemSize     = "node_filesystem_size_bytes"
	MetricNodeFilesystemReadonly = "node_filesystem_readonly"
	MetricNodeCPUSeconds         = "node_cpu_seconds_total"
	MetricNodeMemAvailable       = "node_memory_MemAvailable_bytes"
	MetricNodeMemTotal           = "node_memory_MemTotal_bytes"
	MetricNodeLoad1              = "node_load1"
	MetricNodeBootTime           = "node_boot_time_seconds"

	// hub-nixos-exporter (internal/nixosmetrics).
	MetricNixOSRebootRequired    = "hub_nixos_reboot_required"
	MetricNixOSMicroVMAutostart  = "hub_nixos_microvm_autostart"
	MetricNixOSMicroVMRunning    = "hub_nixos_microvm_running"
	MetricNixOSLastSwitch        = "hub_nixos_last_switch_timestamp_seconds"
	MetricNixOSGenerations       = "hub_nixos_generations"
	MetricNixOSCurrentGeneration = "hub_nixos_current_generation"
	MetricNixOSProfileGeneration = "hub_nixos_profile_generation"
	MetricNixOSCurrentMatches    = "hub_nixos_current_matches"
	MetricNixOSSystemInfo        = "hub_nixos_system_info"
	MetricNixOSStoreSize         = "hub_nixos_store_size_bytes"
	MetricNixOSClosureSize       = "hub_nixos_closure_size_bytes"

	// hub-media-exporter (internal/media).
	MetricMediaTargetUp       = "hub_media_up"
	MetricMediaSessions       = "hub_media_sessions"
	MetricMediaStreams        = "hub_media_streams"
	MetricMediaHWTranscodes   = "hub_media_hardware_transcode_streams"
	MetricMediaBandwidth      = "hub_media_bandwidth_bytes_per_second"
	MetricMediaQueueItems     = "hub_media_queue_items"
	MetricMediaWantedItems    = "hub_media_wanted_items"
	MetricMediaHealthIssues   = "hub_media_health_issues"
	MetricMediaRootFolderFree = "hub_media_root_folder_free_bytes"
	MetricMediaLibraryItems   = "hub_media_library_items"

	// hub-baseline-exporter (internal/baseline).
	MetricBaselineRegression = "hub_baseline_regression"
	MetricBaselineZScore     = "hub_baseline_zscore"
	MetricBaselineValue      = "hub_baseline_value"
	MetricBaselineMean       = "hub_baseline_mean"

	// internal/exporter: every hub exporter's per-collector success gauge, <namespace>_scrape_collector_success.
	metricCollectorSuccessSuffix = "_scrape_collector_success"
)
