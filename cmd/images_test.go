package cmd

import "testing"

// The SIZE column has docker's three significant digits.
func TestImageSizeAsDockerPrintsIt(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0B", 999: "999B", 12_345: "12.3kB", 1_234_567: "1.23MB", 123_456_789: "123MB",
		1_982_000: "1.98MB", 4_260_000_000: "4.26GB",
	} {
		if got := imageSize(n); got != want {
			t.Errorf("imageSize(%d) = %q, want %q", n, got, want)
		}
	}
}
