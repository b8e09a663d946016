#compdef trace

__trace_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__trace_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __trace_complete "${completions[@]:0:-1}"
    fi
}

__trace_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_trace() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'run:Run the traced frontend/backend pair, send it requests, and store every span.'
            'exec:Run a program and record the traces, logs and metrics it exports.'
            'serve:Keep the traced pair running so you can send it requests yourself.'
            'collect:Receive OTLP traces, logs and metrics (gRPC and HTTP) from any OpenTelemetry SDK and store them.'
            'import:Store traces and log records from OTLP/JSON files.'
            'runs:List the runs recorded in the file: each trace run, exec and collect.'
            'list:List stored traces, newest first; or follow them as they are stored.'
            'show:Show one trace as a waterfall, with where its time went.'
            'logs:List stored log records, newest first; or follow them as they are stored.'
            'metrics:List stored metrics; or chart one over time, with its series and points.'
            'stats:Latency statistics over many traces: percentiles, self time, network time per hop, a histogram.'
            'diff:Compare two traces span by span and say where the difference in duration comes from.'
            'compare:Compare two runs operation by operation: what got slower, faster, or only noisier.'
            'check:Check a run against rules, for CI: exits 0 when every rule holds, 1 when one does not.'
            'flame:A flame graph over many traces: where time goes, by path of service and span name.'
            'map:The services in the selected traces and the calls between them.'
            'tui:Browse traces in a full-screen terminal UI.'
            'mcp:Serve the trace file to a coding agent: MCP tools over stdio.'
            'export:Send stored traces to an OTLP collector (gRPC or HTTP), or write them as OTLP/JSON lines.'
            'prune:Delete old traces and give their space back.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        run|exec|serve|collect|import|runs|list|show|logs|metrics|stats|diff|compare|check|flame|map|tui|mcp|export|prune|help)
            "_trace_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_trace_run() {
    local -i ret=1
    local -ar ___tracer=('builtin' 'swift-otel')
    local -ar arg_specs=(
        '--requests[Number of requests to send.]:requests:'
        '--concurrency[Requests in flight at once.]:concurrency:'
        '--untraced[Run the same pair and load with tracing off\: nothing is recorded, to show what tracing costs.]'
        '--backend-latency[Extra time the backend spends on each request, e.g. 5ms.]:duration:'
        '--error-rate[Fraction of requests the backend fails with HTTP 500, from 0 to 1.]:rate:'
        '--new-connections[Open a new connection to the backend for every request (shows DNS and connect time in each trace).]'
        '--tracer[How the pair'\''s spans are recorded\: builtin (trace'\''s own tracer stores them in-process) or swift-otel (exported over OTLP to an embedded receiver). Default\: builtin.]:tracer:{__trace_complete "${___tracer[@]}"}'
        '--no-logs[Record spans only\: the pair does not log (by default each request logs a few records, each under its span).]'
        '--no-metrics[The pair does not measure itself (by default each service records its requests'\'' count and duration, and the frontend its backend calls'\'', as OTLP metrics).]'
        '--otlp-endpoint[An OTLP collector to send to\: http\://host\:4318 (or a full .../v1/traces URL) over HTTP, http\://host\:4317 over gRPC.]:url:'
        '--otlp-protocol[grpc, http/protobuf or http/json (default\: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).]:protocol:'
        '--label[Name this run, to select it later with --run NAME (trace runs lists runs).]:name:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_exec() {
    local -i ret=1
    local -ar arg_specs=(
        '--label[Name this run, to select it later with --run NAME (trace runs lists runs).]:name:'
        '--quiet[Print nothing of trace'\''s own unless something went wrong.]'
        '--grace[How long to keep receiving after the program ends, at most (ends sooner once its exporters are done).]:duration:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '*:command:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_serve() {
    local -i ret=1
    local -ar ___tracer=('builtin' 'swift-otel')
    local -ar arg_specs=(
        '--port[Frontend port (0 picks a free one).]:port:'
        '--host[Address to listen on.]:host:'
        '--backend-latency[Extra time the backend spends on each request, e.g. 5ms.]:duration:'
        '--error-rate[Fraction of requests the backend fails with HTTP 500, from 0 to 1.]:rate:'
        '--new-connections[Open a new connection to the backend for every request (shows DNS and connect time in each trace).]'
        '--tracer[How the pair'\''s spans are recorded\: builtin (trace'\''s own tracer stores them in-process) or swift-otel (exported over OTLP to an embedded receiver). Default\: builtin.]:tracer:{__trace_complete "${___tracer[@]}"}'
        '--no-logs[Record spans only\: the pair does not log (by default each request logs a few records, each under its span).]'
        '--no-metrics[The pair does not measure itself (by default each service records its requests'\'' count and duration, and the frontend its backend calls'\'', as OTLP metrics).]'
        '--otlp-endpoint[An OTLP collector to send to\: http\://host\:4318 (or a full .../v1/traces URL) over HTTP, http\://host\:4317 over gRPC.]:url:'
        '--otlp-protocol[grpc, http/protobuf or http/json (default\: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).]:protocol:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_collect() {
    local -i ret=1
    local -ar arg_specs=(
        '--host[Address to listen on.]:host:'
        '--grpc-port[Port for OTLP/gRPC (0 picks a free one), or off.]:port|off:'
        '(--http-port --port)'{--http-port,--port}'[Port for OTLP/HTTP (0 picks a free one), or off. --port is the same.]:port|off:'
        '--zipkin-port[Port for Zipkin v2 JSON spans, usually 9411 (0 picks a free one); off by default.]:port|off:'
        '--max-body-size[Largest request accepted, in MiB, after decompression.]:MiB:'
        '--otlp-endpoint[An OTLP collector to send to\: http\://host\:4318 (or a full .../v1/traces URL) over HTTP, http\://host\:4317 over gRPC.]:url:'
        '--otlp-protocol[grpc, http/protobuf or http/json (default\: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).]:protocol:'
        '--label[Name this run, to select it later with --run NAME (trace runs lists runs).]:name:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_import() {
    local -i ret=1
    local -ar arg_specs=(
        '*:file:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_runs() {
    local -i ret=1
    local -ar arg_specs=(
        '--json[Print a JSON array instead of a table.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_list() {
    local -i ret=1
    local -ar ___sort=('start' 'duration')
    local -ar arg_specs=(
        ':traceql:'
        '--limit[Show at most this many traces.]:limit:'
        '--service[Only traces with a span from this service.]:service:'
        '--name[Only traces with a span whose name contains this text.]:text:'
        '--min-duration[Only traces at least this long, e.g. 10ms.]:duration:'
        '--max-duration[Only traces at most this long.]:duration:'
        '*--attribute[Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.]:key=value:'
        '--errors[Only traces with an error span.]'
        '--since[Only traces that started within this long ago, e.g. 15m.]:duration:'
        '--query[Only traces matching this TraceQL query, e.g. '\''{ status = error }'\'' (see `man trace` or the README).]:traceql:'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--sort[Order by start (newest first) or duration (slowest first).]:start|duration:{__trace_complete "${___sort[@]}"}'
        '--json[Print a JSON array instead of a table (with --follow, one object per line).]'
        '(-f --follow)'{-f,--follow}'[Keep printing traces as they are stored, until Ctrl-C.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_show() {
    local -i ret=1
    local -ar ___format=('text' 'otlp-json')
    local -ar arg_specs=(
        ':trace-id:'
        '--width[Width of the output in columns (default\: the terminal'\''s).]:width:'
        '(--verbose -v)'{--verbose,-v}'[Also list each span'\''s ids, attributes and events, and each log record'\''s attributes.]'
        '--critical-path[Mark the spans on the critical path (the chain of work that set the end-to-end duration) and total it per service.]'
        '--query[Mark the spans this TraceQL query matches with ▸, e.g. '\''{ kind = client }'\''.]:traceql:'
        '--format[text, or otlp-json\: an OTLP/JSON ExportTraceServiceRequest that `trace collect` accepts back.]:format:{__trace_complete "${___format[@]}"}'
        '--adjust-skew[Move a server span lying outside its client span (another host'\''s clock) into the client'\''s window, half the slack each side; say what moved.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_logs() {
    local -i ret=1
    local -ar arg_specs=(
        '--trace[Only this trace'\''s records\: its id, or enough of its start to be unique.]:trace-id:'
        '--service[Only records from this service (its service.name).]:name:'
        '--severity[Only records at this level or above\: trace, debug, info, warn, error or fatal.]:level:'
        '--grep[Only records whose body has all these words (a full-text search\: whole words, any case).]:words:'
        '--since[Only records from within this long ago, e.g. 15m.]:duration:'
        '--limit[Show at most this many records.]:limit:'
        '--width[Width of the output in columns (default\: the terminal'\''s).]:width:'
        '--json[Print a JSON array instead of lines (with --follow, one object per line).]'
        '(-f --follow)'{-f,--follow}'[Keep printing records as they are stored, until Ctrl-C.]'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_metrics() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--since[Only points from within this long ago, e.g. 15m (with a name).]:duration:'
        '--step[The chart'\''s step, e.g. 10s (default\: the shortest round step that fits the width and the points'\'' interval).]:duration:'
        '--by[Combine the metric'\''s series by this attribute (or resource attribute, e.g. service.name)\: a line (a chart, for a histogram) and a row per value.]:attribute:'
        '--width[Width of the output in columns (default\: the terminal'\''s).]:width:'
        '--json[Print the metric'\''s points as JSON (with a name).]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_stats() {
    local -i ret=1
    local -ar ___by=('name' 'service' 'root')
    local -ar arg_specs=(
        '--service[Only traces with a span from this service.]:service:'
        '--name[Only traces with a span whose name contains this text.]:text:'
        '--min-duration[Only traces at least this long, e.g. 10ms.]:duration:'
        '--max-duration[Only traces at most this long.]:duration:'
        '*--attribute[Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.]:key=value:'
        '--errors[Only traces with an error span.]'
        '--since[Only traces that started within this long ago, e.g. 15m.]:duration:'
        '--query[Only traces matching this TraceQL query, e.g. '\''{ status = error }'\'' (see `man trace` or the README).]:traceql:'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--by[Group spans by service and span name (name), by service, or show root operations only (root).]:name|service|root:{__trace_complete "${___by[@]}"}'
        '--width[Width of the histogram in columns (default\: the terminal'\''s).]:width:'
        '--json[Print JSON instead of tables (durations in milliseconds).]'
        '--adjust-skew[Move a server span lying outside its client span (another host'\''s clock) into the client'\''s window, half the slack each side; say what moved.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_diff() {
    local -i ret=1
    local -ar ___against=('median')
    local -ar arg_specs=(
        '*:trace-id:'
        '--against[Compare the one trace given (as B) with the median-duration trace of the same root operation (as A).]:median:{__trace_complete "${___against[@]}"}'
        '--query[With --against median\: the median among the traces this TraceQL query matches.]:traceql:'
        '--width[Width of the output in columns (default\: the terminal'\''s).]:width:'
        '--adjust-skew[Move a server span lying outside its client span (another host'\''s clock) into the client'\''s window, half the slack each side; say what moved.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_compare() {
    local -i ret=1
    local -ar arg_specs=(
        '*:run|file:'
        '--by[Group spans by this TraceQL field instead of service and name, e.g. span.http.route.]:field:'
        '--confidence[How sure the test must be before it calls a change, from 0.5 to 0.9999.]:level:'
        '--json[Print JSON instead of a table.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_check() {
    local -i ret=1
    local -ar arg_specs=(
        '*--require[A rule that must hold; repeat for several.]:rule:'
        '--rules[A file of rules, one a line; # starts a comment.]:file:'
        '--run[The run to check (default\: the last run).]:run:'
        '--baseline[The run '\''no slower'\'' compares against.]:run:'
        '--confidence[How sure '\''no slower'\'' must be before it calls a change, from 0.5 to 0.9999.]:level:'
        '--junit[Also write the results as JUnit XML to this file.]:file:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_flame() {
    local -i ret=1
    local -ar ___by=('total' 'critical' 'self')
    local -ar arg_specs=(
        '--service[Only traces with a span from this service.]:service:'
        '--name[Only traces with a span whose name contains this text.]:text:'
        '--min-duration[Only traces at least this long, e.g. 10ms.]:duration:'
        '--max-duration[Only traces at most this long.]:duration:'
        '*--attribute[Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.]:key=value:'
        '--errors[Only traces with an error span.]'
        '--since[Only traces that started within this long ago, e.g. 15m.]:duration:'
        '--query[Only traces matching this TraceQL query, e.g. '\''{ status = error }'\'' (see `man trace` or the README).]:traceql:'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--by[What widths stand for\: total, critical or self.]:measure:{__trace_complete "${___by[@]}"}'
        '--folded[Print folded stacks (Brendan Gregg'\''s format) instead of the chart.]'
        '--width[Width of the chart in columns (default\: the terminal'\''s).]:width:'
        '--adjust-skew[Move a server span lying outside its client span (another host'\''s clock) into the client'\''s window, half the slack each side; say what moved.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_map() {
    local -i ret=1
    local -ar arg_specs=(
        '--service[Only traces with a span from this service.]:service:'
        '--name[Only traces with a span whose name contains this text.]:text:'
        '--min-duration[Only traces at least this long, e.g. 10ms.]:duration:'
        '--max-duration[Only traces at most this long.]:duration:'
        '*--attribute[Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.]:key=value:'
        '--errors[Only traces with an error span.]'
        '--since[Only traces that started within this long ago, e.g. 15m.]:duration:'
        '--query[Only traces matching this TraceQL query, e.g. '\''{ status = error }'\'' (see `man trace` or the README).]:traceql:'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--dot[Print a Graphviz dot graph.]'
        '--json[Print JSON (durations in milliseconds).]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_tui() {
    local -i ret=1
    local -ar arg_specs=(
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_mcp() {
    local -i ret=1
    local -ar arg_specs=(
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_export() {
    local -i ret=1
    local -ar arg_specs=(
        '--service[Only traces with a span from this service.]:service:'
        '--name[Only traces with a span whose name contains this text.]:text:'
        '--min-duration[Only traces at least this long, e.g. 10ms.]:duration:'
        '--max-duration[Only traces at most this long.]:duration:'
        '*--attribute[Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.]:key=value:'
        '--errors[Only traces with an error span.]'
        '--since[Only traces that started within this long ago, e.g. 15m.]:duration:'
        '--query[Only traces matching this TraceQL query, e.g. '\''{ status = error }'\'' (see `man trace` or the README).]:traceql:'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--otlp-endpoint[An OTLP collector to send to\: http\://host\:4318 (or a full .../v1/traces URL) over HTTP, http\://host\:4317 over gRPC.]:url:'
        '--otlp-protocol[grpc, http/protobuf or http/json (default\: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).]:protocol:'
        '(--output -o)'{--output,-o}'[Write OTLP/JSON lines to this file (- for standard output); an existing file is replaced.]:file:'
        '--batch-size[Spans per request to the collector (whole traces, so a big trace may exceed it).]:spans:'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_prune() {
    local -i ret=1
    local -ar arg_specs=(
        '--older-than[Delete traces that started longer ago than this, e.g. 24h.]:duration:'
        '--keep[Keep only the newest N traces.]:N:'
        '--query[Delete the traces this TraceQL query matches (with --older-than, only the older ones).]:traceql:'
        '--run[Only what this run recorded\: its id, its label, last or last~N (see trace runs).]:run:'
        '--dry-run[Only say what would be deleted.]'
        '--db[The trace database file (default\: $TRACE_DB, else ./traces.db).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_trace_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _trace ]]; then
    _trace "${@}"
else
    compdef _trace trace
fi
