package lifecycle

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// securityOptions checks --security-opt and --device and records them; a
// seccomp profile file is read now and kept inline, as docker does, so the
// container does not depend on the file later.
func securityOptions(o CreateOptions, hc *state.HostConfig) error {
	sec, err := specgen.ParseSecurityOpts(o.SecurityOpt)
	if err != nil {
		return err
	}
	if sec.NoNewPrivileges {
		hc.SecurityOpt = append(hc.SecurityOpt, "no-new-privileges")
	}
	switch sec.Seccomp {
	case "":
	case "unconfined":
		hc.SecurityOpt = append(hc.SecurityOpt, "seccomp=unconfined")
	default:
		body, err := os.ReadFile(sec.Seccomp)
		if err != nil {
			return fmt.Errorf("read seccomp profile: %w", err)
		}
		hc.SecurityOpt = append(hc.SecurityOpt, "seccomp="+string(body))
	}
	if sec.AppArmor != "" {
		hc.SecurityOpt = append(hc.SecurityOpt, "apparmor="+sec.AppArmor)
	}
	for _, v := range o.Devices {
		d, err := specgen.ParseDevice(v)
		if err != nil {
			return err
		}
		if _, err := hostDevice(d); err != nil {
			return err
		}
		hc.Devices = append(hc.Devices, state.DeviceMapping{PathOnHost: d.Host, PathInContainer: d.Container, CgroupPermissions: d.Perms})
	}
	return checkWorkdir(o.Config.WorkingDir)
}

// checkWorkdir refuses a working directory among a process's file
// descriptors (/proc/self/fd, /proc/<pid>/fd, .../task/<tid>/fd): it would
// be an open directory of the runtime (CVE-2024-21626).
func checkWorkdir(dir string) error {
	if dir == "" {
		return nil
	}
	parts := strings.Split(path.Clean("/"+dir), "/")[1:] // "proc", who, ...
	if len(parts) < 3 || parts[0] != "proc" || !isProcess(parts[1]) {
		return nil
	}
	if parts[2] == "fd" || (len(parts) >= 5 && parts[2] == "task" && parts[4] == "fd") {
		return fmt.Errorf("workdir %q is inside /proc/*/fd: choose a directory of the image", dir)
	}
	return nil
}

func isProcess(s string) bool {
	if s == "self" || s == "thread-self" {
		return true
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// resourceOptions checks the resource flags and --ulimit and records them.
func resourceOptions(r ResourceOptions, ulimits []string, hc *state.HostConfig) error {
	res, err := specgen.ParseResources(r.Memory, r.MemorySwap, r.CPUs, r.CPUShares, r.CpusetCpus, r.PidsLimit, r.ShmSize)
	if err != nil {
		return err
	}
	hc.Memory, hc.MemorySwap, hc.NanoCpus, hc.CpuShares = res.Memory, res.MemorySwap, res.NanoCPUs, int64(res.CPUShares)
	hc.CpusetCpus, hc.PidsLimit, hc.ShmSize = res.CpusetCpus, res.PidsLimit, res.ShmSize
	for _, v := range ulimits {
		rl, err := specgen.ParseUlimit(v)
		if err != nil {
			return err
		}
		name := strings.ToLower(strings.TrimPrefix(rl.Type, "RLIMIT_"))
		hc.Ulimits = append(hc.Ulimits, state.Ulimit{Name: name, Soft: int64(rl.Soft), Hard: int64(rl.Hard)})
	}
	return nil
}

// securityInput fills the spec input's security and resource settings
// from the container's host config.
func securityInput(hc *state.HostConfig, in *specgen.Input) (seccomp string, err error) {
	in.Resources = specgen.Resources{
		Memory: hc.Memory, MemorySwap: hc.MemorySwap, NanoCPUs: hc.NanoCpus, CPUShares: uint64(hc.CpuShares),
		CpusetCpus: hc.CpusetCpus, PidsLimit: hc.PidsLimit, ShmSize: hc.ShmSize,
	}
	for _, u := range hc.Ulimits { // checked at create; -1 becomes RLIM_INFINITY
		in.Rlimits = append(in.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(u.Name), Soft: uint64(u.Soft), Hard: uint64(u.Hard)})
	}
	for _, d := range hc.Devices {
		dev, err := hostDevice(specgen.DeviceMapping{Host: d.PathOnHost, Container: d.PathInContainer, Perms: d.CgroupPermissions})
		if err != nil {
			return "", err
		}
		in.Devices = append(in.Devices, dev)
	}
	for _, o := range hc.SecurityOpt {
		key, val, _ := strings.Cut(o, "=")
		switch key {
		case "no-new-privileges":
			in.NoNewPrivileges = true
		case "seccomp":
			seccomp = val
		case "apparmor":
			if appArmorEnabled() {
				in.AppArmorProfile = val
			}
		}
	}
	return seccomp, nil
}

// AppArmorWarning says why an apparmor= option will have no effect.
func AppArmorWarning(o CreateOptions) string {
	sec, err := specgen.ParseSecurityOpts(o.SecurityOpt)
	if err != nil || sec.AppArmor == "" || appArmorEnabled() {
		return ""
	}
	return fmt.Sprintf("AppArmor is not enabled on this host: --security-opt apparmor=%s has no effect", sec.AppArmor)
}
