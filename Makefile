# make test   every check and test, with a throwaway PostgreSQL and S3 server
# make demo   the whole system on a temporary SQLite database
.PHONY: test demo wire

test:
	scripts/test.sh

demo:
	go run ./examples/telcojobs demo

wire:
	go tool wire ./...
