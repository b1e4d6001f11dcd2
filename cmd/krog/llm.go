package main

import "github.com/krog-advisor/krog/answer"

// llmConfig builds the answer configuration from the environment.
func llmConfig(e *env, noLLM bool) (answer.Config, error) {
	return answer.Config{}, nil
}
