package cmd

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are the --help examples of the commands whose factories do not
// set their own, keyed by the command's path below ctr-lite ("network
// connect"). A command of the container group takes its top-level twin's
// ("container cp" shows cp's). TestEveryCommandHasAnExample keeps this
// list and the command tree in step.
var examples = map[string]string{
	"healthcheck run": `  ctr-lite healthcheck run web   # exit 0: passed; 1: failed (prints unhealthy); 125: no such container or no check
  ctr-lite run -d --name web --health-cmd 'wget -qO- localhost >/dev/null' --health-interval 10s nginx
  ctr-lite wait --condition healthy web && ctr-lite ps -f health=healthy`,
	"stats": `  ctr-lite stats                 # live, every running container
  ctr-lite stats --no-stream web
  ctr-lite stats --no-stream --format '{{.Name}} {{.MemUsage}}'`,
	"update": `  ctr-lite update --memory 256m --cpus 0.5 web
  ctr-lite update --restart on-failure:3 web`,
	"cp": `  ctr-lite cp web:/etc/nginx/nginx.conf .       # a file out
  ctr-lite cp ./site/. web:/usr/share/nginx/html  # a directory's contents in
  ctr-lite cp web:/var/log - | tar -t             # a tar stream out
  tar -c conf | ctr-lite cp - web:/etc            # a tar stream in`,
	"export": `  ctr-lite export web > web.tar
  ctr-lite export -o web.tar web`,
	"diff":    `  ctr-lite diff web              # A added, C changed, D deleted, by path`,
	"pause":   `  ctr-lite pause web && ctr-lite ps -f status=paused`,
	"unpause": `  ctr-lite unpause web`,
	"top": `  ctr-lite top web
  ctr-lite top web -o pid,user,comm`,
	"system info": `  ctr-lite system info --format '{{.Driver}}'`,
	"network inspect": `  ctr-lite network inspect bridge
  ctr-lite network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' backend`,
	"network ls": `  ctr-lite network ls
  ctr-lite network ls -q
  ctr-lite network ls --filter label=team=a`,
	"network rm": `  ctr-lite network rm backend`,
	"network connect": `  ctr-lite network connect backend web
  ctr-lite network connect --alias api --ip 10.77.0.50 backend web
  ctr-lite network connect --ip6 fd00:79::50 dual web`,
	"network disconnect": `  ctr-lite network disconnect backend web`,
	"volume inspect":     `  ctr-lite volume inspect -f '{{.Mountpoint}}' data`,
	"volume ls": `  ctr-lite volume ls
  ctr-lite volume ls -q --filter dangling=true`,
	"volume prune": `  ctr-lite volume prune -f       # anonymous volumes no container uses
  ctr-lite volume prune -a -f    # every volume no container uses`,
	"volume rm":    `  ctr-lite volume rm data`,
	"system reset": `  ctr-lite system reset -f    # remove every container, image, volume and network`,
}

// addExamples gives every command without an Example its entry above.
func addExamples(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.Example == "" {
			sub.Example = exampleFor(sub)
		}
		addExamples(sub)
	}
}

func exampleFor(c *cobra.Command) string {
	path := strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
	if e, ok := examples[path]; ok {
		return e
	}
	if twin, ok := strings.CutPrefix(path, "container "); ok {
		return examples[twin]
	}
	return ""
}
