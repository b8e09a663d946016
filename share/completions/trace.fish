function __trace_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __trace_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __trace_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __trace_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __trace_parse_tokens -S
    set -l unparsed_tokens (__trace_tokens -pc)
    switch $unparsed_tokens[1]
    case 'trace'
        __trace_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __trace_parse_subcommand 0 'requests=' 'concurrency=' 'untraced' 'backend-latency=' 'error-rate=' 'new-connections' 'tracer=' 'no-logs' 'no-metrics' 'otlp-endpoint=' 'otlp-protocol=' 'label=' 'db=' 'version' 'h/help'
        case 'exec'
            __trace_parse_subcommand -r 1 'label=' 'quiet' 'grace=' 'db=' 'version' 'h/help'
        case 'serve'
            __trace_parse_subcommand 0 'port=' 'host=' 'backend-latency=' 'error-rate=' 'new-connections' 'tracer=' 'no-logs' 'no-metrics' 'otlp-endpoint=' 'otlp-protocol=' 'db=' 'version' 'h/help'
        case 'collect'
            __trace_parse_subcommand 0 'host=' 'grpc-port=' 'http-port=' 'zipkin-port=' 'max-body-size=' 'otlp-endpoint=' 'otlp-protocol=' 'label=' 'db=' 'version' 'h/help'
        case 'import'
            __trace_parse_subcommand -r 1 'db=' 'version' 'h/help'
        case 'runs'
            __trace_parse_subcommand 0 'json' 'db=' 'version' 'h/help'
        case 'list'
            __trace_parse_subcommand 1 'limit=' 'service=' 'name=' 'min-duration=' 'max-duration=' 'attribute=+' 'errors' 'since=' 'query=' 'run=' 'sort=' 'json' 'f/follow' 'db=' 'version' 'h/help'
        case 'show'
            __trace_parse_subcommand 1 'width=' 'v/verbose' 'critical-path' 'query=' 'format=' 'adjust-skew' 'db=' 'version' 'h/help'
        case 'logs'
            __trace_parse_subcommand 0 'trace=' 'service=' 'severity=' 'grep=' 'since=' 'limit=' 'width=' 'json' 'f/follow' 'run=' 'db=' 'version' 'h/help'
        case 'metrics'
            __trace_parse_subcommand 1 'since=' 'step=' 'by=' 'width=' 'json' 'db=' 'version' 'h/help'
        case 'stats'
            __trace_parse_subcommand 0 'service=' 'name=' 'min-duration=' 'max-duration=' 'attribute=+' 'errors' 'since=' 'query=' 'run=' 'by=' 'width=' 'json' 'adjust-skew' 'db=' 'version' 'h/help'
        case 'diff'
            __trace_parse_subcommand -r 1 'against=' 'query=' 'width=' 'adjust-skew' 'db=' 'version' 'h/help'
        case 'compare'
            __trace_parse_subcommand -r 1 'by=' 'confidence=' 'json' 'db=' 'version' 'h/help'
        case 'check'
            __trace_parse_subcommand 0 'require=+' 'rules=' 'run=' 'baseline=' 'confidence=' 'junit=' 'db=' 'version' 'h/help'
        case 'flame'
            __trace_parse_subcommand 0 'service=' 'name=' 'min-duration=' 'max-duration=' 'attribute=+' 'errors' 'since=' 'query=' 'run=' 'by=' 'folded' 'width=' 'adjust-skew' 'db=' 'version' 'h/help'
        case 'map'
            __trace_parse_subcommand 0 'service=' 'name=' 'min-duration=' 'max-duration=' 'attribute=+' 'errors' 'since=' 'query=' 'run=' 'dot' 'json' 'db=' 'version' 'h/help'
        case 'tui'
            __trace_parse_subcommand 0 'db=' 'version' 'h/help'
        case 'mcp'
            __trace_parse_subcommand 0 'db=' 'version' 'h/help'
        case 'export'
            __trace_parse_subcommand 0 'service=' 'name=' 'min-duration=' 'max-duration=' 'attribute=+' 'errors' 'since=' 'query=' 'run=' 'otlp-endpoint=' 'otlp-protocol=' 'o/output=' 'batch-size=' 'db=' 'version' 'h/help'
        case 'prune'
            __trace_parse_subcommand 0 'older-than=' 'keep=' 'query=' 'run=' 'dry-run' 'db=' 'version' 'h/help'
        case 'help'
            __trace_parse_subcommand -r 1 'version'
        end
    end
end

function __trace_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __trace_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __trace_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __trace_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__trace_tokens -p)
    if test -z "$(__trace_tokens -t)"
        set -l index (count (__trace_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'trace' -f
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'run' -d 'Run the traced frontend/backend pair, send it requests, and store every span.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'exec' -d 'Run a program and record the traces, logs and metrics it exports.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'serve' -d 'Keep the traced pair running so you can send it requests yourself.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'collect' -d 'Receive OTLP traces, logs and metrics (gRPC and HTTP) from any OpenTelemetry SDK and store them.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'import' -d 'Store traces and log records from OTLP/JSON files.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'runs' -d 'List the runs recorded in the file: each trace run, exec and collect.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'list' -d 'List stored traces, newest first; or follow them as they are stored.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'show' -d 'Show one trace as a waterfall, with where its time went.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'logs' -d 'List stored log records, newest first; or follow them as they are stored.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'metrics' -d 'List stored metrics; or chart one over time, with its series and points.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'stats' -d 'Latency statistics over many traces: percentiles, self time, network time per hop, a histogram.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'diff' -d 'Compare two traces span by span and say where the difference in duration comes from.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'compare' -d 'Compare two runs operation by operation: what got slower, faster, or only noisier.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'check' -d 'Check a run against rules, for CI: exits 0 when every rule holds, 1 when one does not.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'flame' -d 'A flame graph over many traces: where time goes, by path of service and span name.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'map' -d 'The services in the selected traces and the calls between them.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'tui' -d 'Browse traces in a full-screen terminal UI.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'mcp' -d 'Serve the trace file to a coding agent: MCP tools over stdio.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'export' -d 'Send stored traces to an OTLP collector (gRPC or HTTP), or write them as OTLP/JSON lines.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'prune' -d 'Delete old traces and give their space back.'
complete -c 'trace' -n '__trace_should_offer_completions_for_positional "trace" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" requests' -l 'requests' -d 'Number of requests to send.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" concurrency' -l 'concurrency' -d 'Requests in flight at once.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" untraced' -l 'untraced' -d 'Run the same pair and load with tracing off: nothing is recorded, to show what tracing costs.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" backend-latency' -l 'backend-latency' -d 'Extra time the backend spends on each request, e.g. 5ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" error-rate' -l 'error-rate' -d 'Fraction of requests the backend fails with HTTP 500, from 0 to 1.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" new-connections' -l 'new-connections' -d 'Open a new connection to the backend for every request (shows DNS and connect time in each trace).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" tracer' -l 'tracer' -d 'How the pair\'s spans are recorded: builtin (trace\'s own tracer stores them in-process) or swift-otel (exported over OTLP to an embedded receiver). Default: builtin.' -rfka 'builtin swift-otel'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" no-logs' -l 'no-logs' -d 'Record spans only: the pair does not log (by default each request logs a few records, each under its span).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" no-metrics' -l 'no-metrics' -d 'The pair does not measure itself (by default each service records its requests\' count and duration, and the frontend its backend calls\', as OTLP metrics).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" otlp-endpoint' -l 'otlp-endpoint' -d 'An OTLP collector to send to: http://host:4318 (or a full .../v1/traces URL) over HTTP, http://host:4317 over gRPC.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" otlp-protocol' -l 'otlp-protocol' -d 'grpc, http/protobuf or http/json (default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" label' -l 'label' -d 'Name this run, to select it later with --run NAME (trace runs lists runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace exec" label' -l 'label' -d 'Name this run, to select it later with --run NAME (trace runs lists runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace exec" quiet' -l 'quiet' -d 'Print nothing of trace\'s own unless something went wrong.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace exec" grace' -l 'grace' -d 'How long to keep receiving after the program ends, at most (ends sooner once its exporters are done).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace exec" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace exec" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace exec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" port' -l 'port' -d 'Frontend port (0 picks a free one).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" backend-latency' -l 'backend-latency' -d 'Extra time the backend spends on each request, e.g. 5ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" error-rate' -l 'error-rate' -d 'Fraction of requests the backend fails with HTTP 500, from 0 to 1.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" new-connections' -l 'new-connections' -d 'Open a new connection to the backend for every request (shows DNS and connect time in each trace).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" tracer' -l 'tracer' -d 'How the pair\'s spans are recorded: builtin (trace\'s own tracer stores them in-process) or swift-otel (exported over OTLP to an embedded receiver). Default: builtin.' -rfka 'builtin swift-otel'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" no-logs' -l 'no-logs' -d 'Record spans only: the pair does not log (by default each request logs a few records, each under its span).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" no-metrics' -l 'no-metrics' -d 'The pair does not measure itself (by default each service records its requests\' count and duration, and the frontend its backend calls\', as OTLP metrics).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" otlp-endpoint' -l 'otlp-endpoint' -d 'An OTLP collector to send to: http://host:4318 (or a full .../v1/traces URL) over HTTP, http://host:4317 over gRPC.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" otlp-protocol' -l 'otlp-protocol' -d 'grpc, http/protobuf or http/json (default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" grpc-port' -l 'grpc-port' -d 'Port for OTLP/gRPC (0 picks a free one), or off.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" http-port port' -l 'http-port' -l 'port' -d 'Port for OTLP/HTTP (0 picks a free one), or off. --port is the same.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" zipkin-port' -l 'zipkin-port' -d 'Port for Zipkin v2 JSON spans, usually 9411 (0 picks a free one); off by default.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" max-body-size' -l 'max-body-size' -d 'Largest request accepted, in MiB, after decompression.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" otlp-endpoint' -l 'otlp-endpoint' -d 'An OTLP collector to send to: http://host:4318 (or a full .../v1/traces URL) over HTTP, http://host:4317 over gRPC.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" otlp-protocol' -l 'otlp-protocol' -d 'grpc, http/protobuf or http/json (default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" label' -l 'label' -d 'Name this run, to select it later with --run NAME (trace runs lists runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace collect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace import" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace import" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace runs" json' -l 'json' -d 'Print a JSON array instead of a table.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace runs" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace runs" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace runs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" limit' -l 'limit' -d 'Show at most this many traces.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" service' -l 'service' -d 'Only traces with a span from this service.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" name' -l 'name' -d 'Only traces with a span whose name contains this text.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" min-duration' -l 'min-duration' -d 'Only traces at least this long, e.g. 10ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" max-duration' -l 'max-duration' -d 'Only traces at most this long.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list"' -l 'attribute' -d 'Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" errors' -l 'errors' -d 'Only traces with an error span.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" since' -l 'since' -d 'Only traces that started within this long ago, e.g. 15m.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" query' -l 'query' -d 'Only traces matching this TraceQL query, e.g. \'{ status = error }\' (see `man trace` or the README).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" sort' -l 'sort' -d 'Order by start (newest first) or duration (slowest first).' -rfka 'start duration'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" json' -l 'json' -d 'Print a JSON array instead of a table (with --follow, one object per line).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" f follow' -s 'f' -l 'follow' -d 'Keep printing traces as they are stored, until Ctrl-C.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" width' -l 'width' -d 'Width of the output in columns (default: the terminal\'s).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" v verbose' -l 'verbose' -s 'v' -d 'Also list each span\'s ids, attributes and events, and each log record\'s attributes.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" critical-path' -l 'critical-path' -d 'Mark the spans on the critical path (the chain of work that set the end-to-end duration) and total it per service.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" query' -l 'query' -d 'Mark the spans this TraceQL query matches with ▸, e.g. \'{ kind = client }\'.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" format' -l 'format' -d 'text, or otlp-json: an OTLP/JSON ExportTraceServiceRequest that `trace collect` accepts back.' -rfka 'text otlp-json'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" adjust-skew' -l 'adjust-skew' -d 'Move a server span lying outside its client span (another host\'s clock) into the client\'s window, half the slack each side; say what moved.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" trace' -l 'trace' -d 'Only this trace\'s records: its id, or enough of its start to be unique.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" service' -l 'service' -d 'Only records from this service (its service.name).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" severity' -l 'severity' -d 'Only records at this level or above: trace, debug, info, warn, error or fatal.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" grep' -l 'grep' -d 'Only records whose body has all these words (a full-text search: whole words, any case).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" since' -l 'since' -d 'Only records from within this long ago, e.g. 15m.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" limit' -l 'limit' -d 'Show at most this many records.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" width' -l 'width' -d 'Width of the output in columns (default: the terminal\'s).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" json' -l 'json' -d 'Print a JSON array instead of lines (with --follow, one object per line).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" f follow' -s 'f' -l 'follow' -d 'Keep printing records as they are stored, until Ctrl-C.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace logs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" since' -l 'since' -d 'Only points from within this long ago, e.g. 15m (with a name).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" step' -l 'step' -d 'The chart\'s step, e.g. 10s (default: the shortest round step that fits the width and the points\' interval).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" by' -l 'by' -d 'Combine the metric\'s series by this attribute (or resource attribute, e.g. service.name): a line (a chart, for a histogram) and a row per value.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" width' -l 'width' -d 'Width of the output in columns (default: the terminal\'s).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" json' -l 'json' -d 'Print the metric\'s points as JSON (with a name).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace metrics" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" service' -l 'service' -d 'Only traces with a span from this service.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" name' -l 'name' -d 'Only traces with a span whose name contains this text.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" min-duration' -l 'min-duration' -d 'Only traces at least this long, e.g. 10ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" max-duration' -l 'max-duration' -d 'Only traces at most this long.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats"' -l 'attribute' -d 'Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" errors' -l 'errors' -d 'Only traces with an error span.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" since' -l 'since' -d 'Only traces that started within this long ago, e.g. 15m.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" query' -l 'query' -d 'Only traces matching this TraceQL query, e.g. \'{ status = error }\' (see `man trace` or the README).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" by' -l 'by' -d 'Group spans by service and span name (name), by service, or show root operations only (root).' -rfka 'name service root'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" width' -l 'width' -d 'Width of the histogram in columns (default: the terminal\'s).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" json' -l 'json' -d 'Print JSON instead of tables (durations in milliseconds).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" adjust-skew' -l 'adjust-skew' -d 'Move a server span lying outside its client span (another host\'s clock) into the client\'s window, half the slack each side; say what moved.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" against' -l 'against' -d 'Compare the one trace given (as B) with the median-duration trace of the same root operation (as A).' -rfka 'median'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" query' -l 'query' -d 'With --against median: the median among the traces this TraceQL query matches.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" width' -l 'width' -d 'Width of the output in columns (default: the terminal\'s).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" adjust-skew' -l 'adjust-skew' -d 'Move a server span lying outside its client span (another host\'s clock) into the client\'s window, half the slack each side; say what moved.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace compare" by' -l 'by' -d 'Group spans by this TraceQL field instead of service and name, e.g. span.http.route.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace compare" confidence' -l 'confidence' -d 'How sure the test must be before it calls a change, from 0.5 to 0.9999.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace compare" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace compare" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace compare" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace compare" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check"' -l 'require' -d 'A rule that must hold; repeat for several.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" rules' -l 'rules' -d 'A file of rules, one a line; # starts a comment.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" run' -l 'run' -d 'The run to check (default: the last run).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" baseline' -l 'baseline' -d 'The run \'no slower\' compares against.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" confidence' -l 'confidence' -d 'How sure \'no slower\' must be before it calls a change, from 0.5 to 0.9999.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" junit' -l 'junit' -d 'Also write the results as JUnit XML to this file.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" service' -l 'service' -d 'Only traces with a span from this service.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" name' -l 'name' -d 'Only traces with a span whose name contains this text.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" min-duration' -l 'min-duration' -d 'Only traces at least this long, e.g. 10ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" max-duration' -l 'max-duration' -d 'Only traces at most this long.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame"' -l 'attribute' -d 'Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" errors' -l 'errors' -d 'Only traces with an error span.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" since' -l 'since' -d 'Only traces that started within this long ago, e.g. 15m.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" query' -l 'query' -d 'Only traces matching this TraceQL query, e.g. \'{ status = error }\' (see `man trace` or the README).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" by' -l 'by' -d 'What widths stand for: total, critical or self.' -rfka 'total critical self'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" folded' -l 'folded' -d 'Print folded stacks (Brendan Gregg\'s format) instead of the chart.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" width' -l 'width' -d 'Width of the chart in columns (default: the terminal\'s).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" adjust-skew' -l 'adjust-skew' -d 'Move a server span lying outside its client span (another host\'s clock) into the client\'s window, half the slack each side; say what moved.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace flame" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" service' -l 'service' -d 'Only traces with a span from this service.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" name' -l 'name' -d 'Only traces with a span whose name contains this text.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" min-duration' -l 'min-duration' -d 'Only traces at least this long, e.g. 10ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" max-duration' -l 'max-duration' -d 'Only traces at most this long.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map"' -l 'attribute' -d 'Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" errors' -l 'errors' -d 'Only traces with an error span.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" since' -l 'since' -d 'Only traces that started within this long ago, e.g. 15m.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" query' -l 'query' -d 'Only traces matching this TraceQL query, e.g. \'{ status = error }\' (see `man trace` or the README).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" dot' -l 'dot' -d 'Print a Graphviz dot graph.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" json' -l 'json' -d 'Print JSON (durations in milliseconds).'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace map" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace tui" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace tui" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace tui" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace mcp" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace mcp" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace mcp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" service' -l 'service' -d 'Only traces with a span from this service.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" name' -l 'name' -d 'Only traces with a span whose name contains this text.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" min-duration' -l 'min-duration' -d 'Only traces at least this long, e.g. 10ms.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" max-duration' -l 'max-duration' -d 'Only traces at most this long.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export"' -l 'attribute' -d 'Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" errors' -l 'errors' -d 'Only traces with an error span.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" since' -l 'since' -d 'Only traces that started within this long ago, e.g. 15m.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" query' -l 'query' -d 'Only traces matching this TraceQL query, e.g. \'{ status = error }\' (see `man trace` or the README).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" otlp-endpoint' -l 'otlp-endpoint' -d 'An OTLP collector to send to: http://host:4318 (or a full .../v1/traces URL) over HTTP, http://host:4317 over gRPC.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" otlp-protocol' -l 'otlp-protocol' -d 'grpc, http/protobuf or http/json (default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" o output' -l 'output' -s 'o' -d 'Write OTLP/JSON lines to this file (- for standard output); an existing file is replaced.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" batch-size' -l 'batch-size' -d 'Spans per request to the collector (whole traces, so a big trace may exceed it).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" older-than' -l 'older-than' -d 'Delete traces that started longer ago than this, e.g. 24h.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" keep' -l 'keep' -d 'Keep only the newest N traces.' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" query' -l 'query' -d 'Delete the traces this TraceQL query matches (with --older-than, only the older ones).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" run' -l 'run' -d 'Only what this run recorded: its id, its label, last or last~N (see trace runs).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" dry-run' -l 'dry-run' -d 'Only say what would be deleted.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" db' -l 'db' -d 'The trace database file (default: $TRACE_DB, else ./traces.db).' -rfka ''
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" version' -l 'version' -d 'Show the version.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'trace' -n '__trace_should_offer_completions_for_flags_or_options "trace help" version' -l 'version' -d 'Show the version.'
