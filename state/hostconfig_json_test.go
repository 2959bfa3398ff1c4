package state

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// dockerHostConfigKinds is the JSON kind of each field of docker's
// inspect HostConfig (github.com/docker/docker/api/types/container
// HostConfig and Resources, and the types they hold), by path: "[]" is
// an array's element, "{}" a map's value. "null|number" and "null|bool"
// are docker's pointers; a nil slice or map is null too.
var dockerHostConfigKinds = map[string]string{
	"Binds": "array", "Binds[]": "string", "ContainerIDFile": "string",
	"LogConfig": "object", "LogConfig.Type": "string", "LogConfig.Config": "object", "LogConfig.Config{}": "string",
	"NetworkMode": "string", "PortBindings": "object", "PortBindings{}": "array",
	"PortBindings{}[]": "object", "PortBindings{}[].HostIp": "string", "PortBindings{}[].HostPort": "string",
	"RestartPolicy": "object", "RestartPolicy.Name": "string", "RestartPolicy.MaximumRetryCount": "number",
	"AutoRemove": "bool", "VolumeDriver": "string", "VolumesFrom": "array", "VolumesFrom[]": "string",
	"ConsoleSize": "array", "ConsoleSize[]": "number", "Annotations": "object", "Annotations{}": "string",
	"CapAdd": "array", "CapAdd[]": "string", "CapDrop": "array", "CapDrop[]": "string", "CgroupnsMode": "string",
	"Dns": "array", "Dns[]": "string", "DnsOptions": "array", "DnsOptions[]": "string", "DnsSearch": "array", "DnsSearch[]": "string",
	"ExtraHosts": "array", "ExtraHosts[]": "string", "GroupAdd": "array", "GroupAdd[]": "string",
	"IpcMode": "string", "Cgroup": "string", "Links": "array", "Links[]": "string", "OomScoreAdj": "number",
	"PidMode": "string", "Privileged": "bool", "PublishAllPorts": "bool", "ReadonlyRootfs": "bool",
	"SecurityOpt": "array", "SecurityOpt[]": "string", "StorageOpt": "object", "StorageOpt{}": "string",
	"Tmpfs": "object", "Tmpfs{}": "string", "UTSMode": "string", "UsernsMode": "string", "ShmSize": "number",
	"Sysctls": "object", "Sysctls{}": "string", "Runtime": "string", "Isolation": "string",
	// Resources
	"CpuShares": "number", "Memory": "number", "NanoCpus": "number", "CgroupParent": "string", "BlkioWeight": "number",
	"BlkioWeightDevice": "array", "BlkioWeightDevice[]": "object", "BlkioWeightDevice[].Path": "string", "BlkioWeightDevice[].Weight": "number",
	"BlkioDeviceReadBps": "array", "BlkioDeviceReadBps[]": "object", "BlkioDeviceReadBps[].Path": "string", "BlkioDeviceReadBps[].Rate": "number",
	"BlkioDeviceWriteBps": "array", "BlkioDeviceWriteBps[]": "object", "BlkioDeviceWriteBps[].Path": "string", "BlkioDeviceWriteBps[].Rate": "number",
	"BlkioDeviceReadIOps": "array", "BlkioDeviceReadIOps[]": "object", "BlkioDeviceReadIOps[].Path": "string", "BlkioDeviceReadIOps[].Rate": "number",
	"BlkioDeviceWriteIOps": "array", "BlkioDeviceWriteIOps[]": "object", "BlkioDeviceWriteIOps[].Path": "string", "BlkioDeviceWriteIOps[].Rate": "number",
	"CpuPeriod": "number", "CpuQuota": "number", "CpuRealtimePeriod": "number", "CpuRealtimeRuntime": "number",
	"CpusetCpus": "string", "CpusetMems": "string",
	"Devices": "array", "Devices[]": "object", "Devices[].PathOnHost": "string", "Devices[].PathInContainer": "string", "Devices[].CgroupPermissions": "string",
	"DeviceCgroupRules": "array", "DeviceCgroupRules[]": "string", "DeviceRequests": "array",
	"KernelMemory": "number", "KernelMemoryTCP": "number", "MemoryReservation": "number", "MemorySwap": "number",
	"MemorySwappiness": "null|number", "OomKillDisable": "null|bool", "PidsLimit": "null|number",
	"Ulimits": "array", "Ulimits[]": "object", "Ulimits[].Name": "string", "Ulimits[].Soft": "number", "Ulimits[].Hard": "number",
	"CpuCount": "number", "CpuPercent": "number", "IOMaximumIOps": "number", "IOMaximumBandwidth": "number",
	// mount.Mount
	"Mounts": "array", "Mounts[]": "object", "Mounts[].Type": "string", "Mounts[].Source": "string", "Mounts[].Target": "string",
	"Mounts[].ReadOnly": "bool", "Mounts[].BindOptions": "object", "Mounts[].BindOptions.Propagation": "string",
	"Mounts[].BindOptions.NonRecursive": "bool", "Mounts[].VolumeOptions": "object", "Mounts[].VolumeOptions.NoCopy": "bool",
	"Mounts[].VolumeOptions.Labels": "object", "Mounts[].VolumeOptions.Labels{}": "string",
	"Mounts[].VolumeOptions.DriverConfig": "object", "Mounts[].VolumeOptions.DriverConfig.Name": "string",
	"Mounts[].VolumeOptions.DriverConfig.Options": "object", "Mounts[].VolumeOptions.DriverConfig.Options{}": "string",
	"Mounts[].TmpfsOptions": "object", "Mounts[].TmpfsOptions.SizeBytes": "number", "Mounts[].TmpfsOptions.Mode": "number",
	"MaskedPaths": "array", "MaskedPaths[]": "string", "ReadonlyPaths": "array", "ReadonlyPaths[]": "string",
	"Init": "null|bool",
}

// ownHostConfigFields are ctr-lite's additions to docker's HostConfig
// (with everything under them): not in docker's, so no kind to match.
var ownHostConfigFields = []string{"RecordVersion", "MountPoints", "AnonymousVolumes", "IPAddress", "IPv6Address", "MacAddress",
	"NetworkAliases", "Networks", "PidFile", "NoNewPrivileges", "SeccompUnconfined", "SeccompProfile",
	"AppArmorProfile", "SystemPathsUnconfined"}

// TestHostConfigJSONKindsAreDockers marshals a record with every field
// set, and one as create leaves an unset one, and checks each JSON
// field's kind against docker's: a client reading inspect as docker's
// types must decode ours.
func TestHostConfigJSONKindsAreDockers(t *testing.T) {
	var full HostConfig
	fill(reflect.ValueOf(&full).Elem())
	kinds := jsonKinds(t, &full)
	for path, kind := range kinds {
		if own(path) {
			continue
		}
		want, ok := dockerHostConfigKinds[path]
		if !ok {
			t.Errorf("HostConfig.%s is not docker's: add it to ownHostConfigFields, or name it as docker does", path)
			continue
		}
		if !strings.Contains("|"+want+"|", "|"+kind+"|") && !(kind == "null" && (want == "array" || want == "object")) {
			t.Errorf("HostConfig.%s is a JSON %s, docker's is %s", path, kind, want)
		}
	}
	// docker's pointers are null when unset, not 0 or false.
	unset := jsonKinds(t, &HostConfig{})
	for path, want := range dockerHostConfigKinds {
		if got, ok := unset[path]; strings.HasPrefix(want, "null|") && ok && got != "null" {
			t.Errorf("unset HostConfig.%s is %s, docker's is null", path, got)
		}
	}
	for _, path := range []string{"PidsLimit", "MemorySwappiness", "OomKillDisable"} {
		if unset[path] != "null" {
			t.Errorf("unset HostConfig.%s is %q, docker shows null", path, unset[path])
		}
	}
}

func own(path string) bool {
	top, _, _ := strings.Cut(strings.NewReplacer("[]", ".", "{}", ".").Replace(path), ".")
	for _, f := range ownHostConfigFields {
		if top == f {
			return true
		}
	}
	return false
}

// jsonKinds is the JSON kind at each path of v's encoding.
func jsonKinds(t *testing.T, v any) map[string]string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	walk(doc, "", out)
	delete(out, "")
	return out
}

func walk(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case nil:
		out[path] = "null"
	case string:
		out[path] = "string"
	case float64:
		out[path] = "number"
	case bool:
		out[path] = "bool"
	case []any:
		out[path] = "array"
		for _, e := range x {
			walk(e, path+"[]", out)
		}
	case map[string]any:
		out[path] = "object"
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch {
			case path == "":
				walk(x[k], k, out)
			case isMap(path):
				walk(x[k], path+"{}", out)
			default:
				walk(x[k], path+"."+k, out)
			}
		}
	}
}

// isMap says whether the object at path is a Go map (its keys are data,
// not field names) in docker's HostConfig.
func isMap(path string) bool {
	for _, m := range []string{"Annotations", "Tmpfs", "Sysctls", "StorageOpt", "PortBindings", "LogConfig.Config",
		"Mounts[].VolumeOptions.Labels", "Mounts[].VolumeOptions.DriverConfig.Options"} {
		if path == m || strings.HasSuffix(path, "."+m) {
			return true
		}
	}
	return false
}

// fill sets every field of v to a non-zero value: one element in each
// slice and map, so every nested field is marshalled.
func fill(v reflect.Value) {
	if v.Type() == reflect.TypeOf(json.RawMessage(nil)) {
		v.SetBytes([]byte(`{}`))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}
