package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/joho/godotenv"
)

// withDotenv returns an env that also sees the variables in the .env file at path, if there is
// one: a variable already set in the environment wins over the file. The process environment is
// not changed.
func (e *env) withDotenv(path string) (*env, error) {
	if path == "" {
		return e, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return e, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	vars, err := godotenv.Parse(f)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("%s: %v", path, err), hint: "Each line of a .env file is NAME=value; see .env.example."}
	}
	outer := e.getenv
	merged := *e
	merged.getenv = func(k string) string {
		if v := outer(k); v != "" {
			return v
		}
		return vars[k]
	}
	return &merged, nil
}
