package cmd

// systemdf.go is system df: docker's disk usage summary of images,
// containers and volumes (ctr-lite has no build cache: its row is 0),
// and with -v each object's usage. It walks every writable layer and
// volume, as docker's does.

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// dfRow is one line of the summary; its fields are docker's --format names.
type dfRow struct {
	Type        string
	TotalCount  int
	Active      int
	Size        string
	Reclaimable string
}

const (
	dfTable           = "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
	dfImagesTable     = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}"
	dfContainersTable = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}"
	dfVolumesTable    = "{{.Name}}\t{{.Links}}\t{{.Size}}"
)

// dfTitles are docker's df column titles that differ from headerNames.
var dfTitles = map[string]string{
	"TotalCount": "TOTAL", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
	"LocalVolumes": "LOCAL VOLUMES", "Name": "VOLUME NAME",
}

// dfImageTitles are dfTitles with images' "IMAGE ID".
var dfImageTitles = map[string]string{"ID": "IMAGE ID", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"}

// dfCount is one kind's totals, in bytes.
type dfCount struct {
	total, active int
	size, unused  int64 // unused: the bytes of objects not active
}

// row is the summary line: reclaimable with docker's whole percentage
// of the size (none when the size is 0).
func (n dfCount) row(kind string) dfRow {
	r := dfRow{Type: kind, TotalCount: n.total, Active: n.active,
		Size: units.HumanSize(float64(n.size)), Reclaimable: units.HumanSize(float64(n.unused))}
	if n.size > 0 {
		r.Reclaimable += fmt.Sprintf(" (%d%%)", n.unused*100/n.size)
	}
	return r
}

// dfImageRow, dfContainerRow and dfVolumeRow are -v's lines.
type dfImageRow struct {
	imageRow
	SharedSize, UniqueSize string
	Containers             int
}

type dfContainerRow struct {
	psRow
	LocalVolumes int
}

type dfVolumeRow struct {
	Name  string
	Links int
	Size  string
}

// diskUsage is what df reports, read once.
type diskUsage struct {
	images, containers, volumes dfCount
	imageRows                   []dfImageRow
	containerRows               []dfContainerRow
	volumeRows                  []dfVolumeRow
}

func newSystemDfCmd(g *globals) *cobra.Command {
	var verbose bool
	var format string
	c := &cobra.Command{
		Use:     "df [-v] [--format table|json|TEMPLATE]",
		Short:   "Show disk usage of images, containers and volumes",
		Example: "  ctr-lite system df\n  ctr-lite system df -v",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			du, err := readDiskUsage(e, time.Now())
			if err != nil {
				return err
			}
			if verbose {
				return du.writeVerbose(c.OutOrStdout())
			}
			rows := []dfRow{du.images.row("Images"), du.containers.row("Containers"),
				du.volumes.row("Local Volumes"), dfCount{}.row("Build Cache")}
			return writeRowsWithHeaders(c.OutOrStdout(), format, dfTable, rows, dfTitles)
		},
	}
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "show each image's, container's and volume's usage")
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template over .Type .TotalCount .Active .Size .Reclaimable")
	return c
}

// readDiskUsage counts images (active: any container uses it),
// containers (active: running) and volumes (active: any container
// mounts it).
func readDiskUsage(e *lifecycle.Engine, now time.Time) (*diskUsage, error) {
	list, err := e.Containers.List()
	if err != nil {
		return nil, err
	}
	imgs, err := e.Images.Images()
	if err != nil {
		return nil, err
	}
	vols, err := e.Volumes.List()
	if err != nil {
		return nil, err
	}
	du := &diskUsage{}
	sizer := &psSizer{e: e, images: map[string]int64{}}
	imageUsers, volumeLinks := map[string]int{}, map[string]int{}
	rows := psRows(list, psSelect{all: true}, now)
	byID := map[string]*state.Container{}
	for _, c := range list {
		byID[state.ShortID(c.ID)] = c
	}
	for _, r := range rows {
		c := byID[r.ID]
		imageUsers[c.Image]++
		n := 0
		if hc, err := e.Containers.LoadHostConfig(c.ID); err == nil {
			for _, mp := range hc.MountPoints {
				if mp.Type == state.MountVolume && mp.Source != "" {
					volumeLinks[mp.Source]++
					n++
				}
			}
		}
		rw := sizer.writable(c)
		du.containers.add(rw, trueState(c).Running)
		r.Size = units.HumanSizeWithPrecision(float64(rw), 3)
		du.containerRows = append(du.containerRows, dfContainerRow{psRow: r, LocalVolumes: n})
	}
	du.addImages(imgs, images.Of(e).LayerSizes, imageUsers, now)
	for _, v := range vols {
		size := dirSize(e.Volumes.DataPath(v.Name))
		du.volumes.add(size, volumeLinks[v.Name] > 0)
		du.volumeRows = append(du.volumeRows, dfVolumeRow{Name: v.Name, Links: volumeLinks[v.Name], Size: units.HumanSizeWithPrecision(float64(size), 3)})
	}
	return du, nil
}

func (n *dfCount) add(size int64, active bool) {
	n.total++
	n.size += size
	if active {
		n.active++
	} else {
		n.unused += size
	}
}

// addImages counts each image once and lists it per tag, as images does.
// As docker's, a layer two images share is counted once in the total and
// is each one's SHARED SIZE; an image in use holds its unique size.
func (du *diskUsage) addImages(imgs []*rootfs.Image, layers func(*rootfs.Image) map[string]int64, users map[string]int, now time.Time) {
	sizes := make([]map[string]int64, len(imgs))
	refs := map[string]int{}
	for i, img := range imgs {
		sizes[i] = layers(img)
		for chain, n := range sizes[i] {
			if refs[chain] == 0 {
				du.images.size += n
			}
			refs[chain]++
		}
	}
	du.images.unused = du.images.size
	for i, img := range imgs {
		var shared int64
		for chain, n := range sizes[i] {
			if refs[chain] > 1 {
				shared += n
			}
		}
		du.images.total++
		if users[img.ID] > 0 {
			du.images.active++
			du.images.unused -= img.Size - shared
		}
		for _, r := range imageRows([]*rootfs.Image{img}, now) {
			du.imageRows = append(du.imageRows, dfImageRow{imageRow: r, SharedSize: imageSize(shared),
				UniqueSize: imageSize(img.Size - shared), Containers: users[img.ID]})
		}
	}
	du.images.unused = max(0, du.images.unused)
}

// writeVerbose is docker's df -v: one table per kind under its title.
func (du *diskUsage) writeVerbose(w io.Writer) error {
	var b strings.Builder
	b.WriteString("Images space usage:\n\n")
	if err := writeFormatted(&b, "", dfImagesTable, du.imageRows, dfImageTitles); err != nil {
		return err
	}
	b.WriteString("\nContainers space usage:\n\n")
	if err := writeFormatted(&b, "", dfContainersTable, du.containerRows, dfTitles); err != nil {
		return err
	}
	b.WriteString("\nLocal Volumes space usage:\n\n")
	if err := writeFormatted(&b, "", dfVolumesTable, du.volumeRows, dfTitles); err != nil {
		return err
	}
	b.WriteString("\nBuild cache usage: 0B\n\n")
	b.WriteString("CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n")
	_, err := io.WriteString(w, b.String())
	return err
}
