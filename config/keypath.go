package config

import (
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

var lineRef = regexp.MustCompile(`line (\d+): `)

// annotateKeys rewrites yaml.v3's "line N: ..." messages to also name the
// key at that line ("line N (input_scanners[0].timeout): ..."), so that a
// bad value's error names its key, not only its line.
func annotateKeys(doc []byte, err error) error {
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil {
		return err
	}
	paths := map[int]string{}
	walkKeys(&root, "", paths)
	msg := lineRef.ReplaceAllStringFunc(err.Error(), func(m string) string {
		n, _ := strconv.Atoi(lineRef.FindStringSubmatch(m)[1])
		if p, ok := paths[n]; ok {
			return fmt.Sprintf("line %d (%s): ", n, p)
		}
		return m
	})
	return fmt.Errorf("%s", msg)
}

// walkKeys records, for each line holding a value, the dotted path of the
// innermost key on that line.
func walkKeys(n *yaml.Node, path string, out map[int]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkKeys(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			out[k.Line] = p
			if v.Line != k.Line || v.Kind == yaml.ScalarNode {
				out[v.Line] = p
			}
			walkKeys(v, p, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			if _, ok := out[c.Line]; !ok || c.Kind == yaml.ScalarNode {
				out[c.Line] = p
			}
			walkKeys(c, p, out)
		}
	}
}
