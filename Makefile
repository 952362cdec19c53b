# The two commands of the README: `make run` and `make test`. Both install what is missing,
# start a project-local PostgreSQL on 127.0.0.1 and apply migrations first.
SHELL := /bin/bash
PGPORT ?= 55432
DB := Host=127.0.0.1;Port=$(PGPORT);Username=incidentdesk;Password=incidentdesk;Database=incidentdesk
CONFIGURATION ?= Release

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export PGPORT
export INCIDENTDESK_TEST_DB ?= $(DB)

.PHONY: deps db build run migrate test unit-test integration-test check stop bench format

deps:
	@bash scripts/install-deps.sh
	@dotnet tool restore >/dev/null

db: deps
	@bash scripts/postgres.sh start

build:
	dotnet build IncidentDesk.sln -c $(CONFIGURATION) -nologo -v quiet

migrate: db build
	ConnectionStrings__IncidentDesk='$(DB)' dotnet src/IncidentDesk/bin/$(CONFIGURATION)/net10.0/incidentdesk.dll migrate

# The service with the sample configuration (src/IncidentDesk/appsettings.Development.json).
run: migrate
	DOTNET_ENVIRONMENT=Development ConnectionStrings__IncidentDesk='$(DB)' \
	  dotnet src/IncidentDesk/bin/$(CONFIGURATION)/net10.0/incidentdesk.dll serve

check: build
	DOTNET_ENVIRONMENT=Development dotnet src/IncidentDesk/bin/$(CONFIGURATION)/net10.0/incidentdesk.dll check

test: db build
	dotnet test IncidentDesk.sln -c $(CONFIGURATION) --no-build -nologo --blame-hang-timeout 5m --logger "console;verbosity=normal" 2>&1 | tee .data/test.log; \
	  status=$${PIPESTATUS[0]}; bash scripts/test-summary.sh .data/test.log; exit $$status

bench: db
	dotnet run -c Release --project bench/IncidentDesk.Bench -- --output bench/RESULTS.md

format:
	dotnet format IncidentDesk.sln --verify-no-changes

stop:
	@bash scripts/postgres.sh stop
