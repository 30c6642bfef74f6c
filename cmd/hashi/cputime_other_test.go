//go:build !unix

package main

import "time"

// processCPU is not measured outside Unix; benchmarks then report no CPU figure.
func processCPU() time.Duration { return 0 }
