//go:build ignore

// expcount counts exported identifiers of a Go module: exported top-level
// funcs, types, vars and consts (each name), exported methods (on any receiver
// whose type is exported), and exported fields of exported struct types.
// Non-test .go files only; packages under internal/ and main packages and
// training/ are excluded from "public" but counted in "all".
//
// Run from the repository root: go run scripts/expcount.go .
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	root := os.Args[1]
	per := map[string]int{}
	fset := token.NewFileSet()
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if info.IsDir() {
			n := info.Name()
			if n == "testdata" || n == "training" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil || f.Name.Name == "main" {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		c := 0
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv != nil {
					t := d.Recv.List[0].Type
					if s, ok := t.(*ast.StarExpr); ok {
						t = s.X
					}
					if ix, ok := t.(*ast.IndexExpr); ok {
						t = ix.X
					}
					if id, ok := t.(*ast.Ident); ok && !id.IsExported() {
						continue
					}
				}
				c++
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						c++
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fl := range st.Fields.List {
								for _, n := range fl.Names {
									if n.IsExported() {
										c++
									}
								}
							}
						}
						if it, ok := s.Type.(*ast.InterfaceType); ok {
							for _, m := range it.Methods.List {
								for _, n := range m.Names {
									if n.IsExported() {
										c++
									}
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								c++
							}
						}
					}
				}
			}
		}
		per[rel] += c
		return nil
	})
	keys := []string{}
	for k := range per {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	all, pub := 0, 0
	for _, k := range keys {
		fmt.Printf("%5d %s\n", per[k], k)
		all += per[k]
		if !strings.HasPrefix(k, "internal") && !strings.Contains(k, "/internal") {
			pub += per[k]
		}
	}
	fmt.Printf("TOTAL all=%d public(non-internal)=%d\n", all, pub)
}
