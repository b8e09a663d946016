#!/bin/bash

__trace_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__trace_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__trace_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__trace_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_trace() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __trace_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|exec|serve|collect|import|runs|list|show|logs|metrics|stats|diff|compare|check|flame|map|tui|mcp|export|prune|help)
        # Offer subcommand argument completions
        "_trace_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run exec serve collect import runs list show logs metrics stats diff compare check flame map tui mcp export prune help' -- "${cur}"))
        ;;
    esac
}

_trace_run() {
    repeating_flags=()
    non_repeating_flags=(--untraced --new-connections --no-logs --no-metrics --version -h --help)
    repeating_options=()
    non_repeating_options=(--requests --concurrency --backend-latency --error-rate --tracer --otlp-endpoint --otlp-protocol --label --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--requests')
        return
        ;;
    '--concurrency')
        return
        ;;
    '--backend-latency')
        return
        ;;
    '--error-rate')
        return
        ;;
    '--tracer')
        __trace_add_completions -W 'builtin'$'\n''swift-otel'
        return
        ;;
    '--otlp-endpoint')
        return
        ;;
    '--otlp-protocol')
        return
        ;;
    '--label')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_exec() {
    repeating_flags=()
    non_repeating_flags=(--quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--label --grace --db)
    __trace_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--label')
        return
        ;;
    '--grace')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_serve() {
    repeating_flags=()
    non_repeating_flags=(--new-connections --no-logs --no-metrics --version -h --help)
    repeating_options=()
    non_repeating_options=(--port --host --backend-latency --error-rate --tracer --otlp-endpoint --otlp-protocol --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--port')
        return
        ;;
    '--host')
        return
        ;;
    '--backend-latency')
        return
        ;;
    '--error-rate')
        return
        ;;
    '--tracer')
        __trace_add_completions -W 'builtin'$'\n''swift-otel'
        return
        ;;
    '--otlp-endpoint')
        return
        ;;
    '--otlp-protocol')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_collect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--host --grpc-port --http-port --port --zipkin-port --max-body-size --otlp-endpoint --otlp-protocol --label --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--grpc-port')
        return
        ;;
    '--http-port'|'--port')
        return
        ;;
    '--zipkin-port')
        return
        ;;
    '--max-body-size')
        return
        ;;
    '--otlp-endpoint')
        return
        ;;
    '--otlp-protocol')
        return
        ;;
    '--label')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db)
    __trace_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    esac
}

_trace_runs() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    esac
}

_trace_list() {
    repeating_flags=()
    non_repeating_flags=(--errors --json -f --follow --version -h --help)
    repeating_options=(--attribute)
    non_repeating_options=(--limit --service --name --min-duration --max-duration --since --query --run --sort --db)
    __trace_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--limit')
        return
        ;;
    '--service')
        return
        ;;
    '--name')
        return
        ;;
    '--min-duration')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--attribute')
        return
        ;;
    '--since')
        return
        ;;
    '--query')
        return
        ;;
    '--run')
        return
        ;;
    '--sort')
        __trace_add_completions -W 'start'$'\n''duration'
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_show() {
    repeating_flags=()
    non_repeating_flags=(--verbose -v --critical-path --adjust-skew --version -h --help)
    repeating_options=()
    non_repeating_options=(--width --query --format --db)
    __trace_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--width')
        return
        ;;
    '--query')
        return
        ;;
    '--format')
        __trace_add_completions -W 'text'$'\n''otlp-json'
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_logs() {
    repeating_flags=()
    non_repeating_flags=(--json -f --follow --version -h --help)
    repeating_options=()
    non_repeating_options=(--trace --service --severity --grep --since --limit --width --run --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--trace')
        return
        ;;
    '--service')
        return
        ;;
    '--severity')
        return
        ;;
    '--grep')
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    '--width')
        return
        ;;
    '--run')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_metrics() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--since --step --by --width --db)
    __trace_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--since')
        return
        ;;
    '--step')
        return
        ;;
    '--by')
        return
        ;;
    '--width')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_stats() {
    repeating_flags=()
    non_repeating_flags=(--errors --json --adjust-skew --version -h --help)
    repeating_options=(--attribute)
    non_repeating_options=(--service --name --min-duration --max-duration --since --query --run --by --width --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--service')
        return
        ;;
    '--name')
        return
        ;;
    '--min-duration')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--attribute')
        return
        ;;
    '--since')
        return
        ;;
    '--query')
        return
        ;;
    '--run')
        return
        ;;
    '--by')
        __trace_add_completions -W 'name'$'\n''service'$'\n''root'
        return
        ;;
    '--width')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_diff() {
    repeating_flags=()
    non_repeating_flags=(--adjust-skew --version -h --help)
    repeating_options=()
    non_repeating_options=(--against --query --width --db)
    __trace_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--against')
        __trace_add_completions -W 'median'
        return
        ;;
    '--query')
        return
        ;;
    '--width')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_compare() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--by --confidence --db)
    __trace_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--by')
        return
        ;;
    '--confidence')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_check() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--require)
    non_repeating_options=(--rules --run --baseline --confidence --junit --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--require')
        return
        ;;
    '--rules')
        return
        ;;
    '--run')
        return
        ;;
    '--baseline')
        return
        ;;
    '--confidence')
        return
        ;;
    '--junit')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_flame() {
    repeating_flags=()
    non_repeating_flags=(--errors --folded --adjust-skew --version -h --help)
    repeating_options=(--attribute)
    non_repeating_options=(--service --name --min-duration --max-duration --since --query --run --by --width --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--service')
        return
        ;;
    '--name')
        return
        ;;
    '--min-duration')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--attribute')
        return
        ;;
    '--since')
        return
        ;;
    '--query')
        return
        ;;
    '--run')
        return
        ;;
    '--by')
        __trace_add_completions -W 'total'$'\n''critical'$'\n''self'
        return
        ;;
    '--width')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_map() {
    repeating_flags=()
    non_repeating_flags=(--errors --dot --json --version -h --help)
    repeating_options=(--attribute)
    non_repeating_options=(--service --name --min-duration --max-duration --since --query --run --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--service')
        return
        ;;
    '--name')
        return
        ;;
    '--min-duration')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--attribute')
        return
        ;;
    '--since')
        return
        ;;
    '--query')
        return
        ;;
    '--run')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_tui() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    esac
}

_trace_mcp() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    esac
}

_trace_export() {
    repeating_flags=()
    non_repeating_flags=(--errors --version -h --help)
    repeating_options=(--attribute)
    non_repeating_options=(--service --name --min-duration --max-duration --since --query --run --otlp-endpoint --otlp-protocol --output -o --batch-size --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--service')
        return
        ;;
    '--name')
        return
        ;;
    '--min-duration')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--attribute')
        return
        ;;
    '--since')
        return
        ;;
    '--query')
        return
        ;;
    '--run')
        return
        ;;
    '--otlp-endpoint')
        return
        ;;
    '--otlp-protocol')
        return
        ;;
    '--output'|'-o')
        return
        ;;
    '--batch-size')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_prune() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--older-than --keep --query --run --db)
    __trace_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--older-than')
        return
        ;;
    '--keep')
        return
        ;;
    '--query')
        return
        ;;
    '--run')
        return
        ;;
    '--db')
        return
        ;;
    esac
}

_trace_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __trace_offer_flags_options -1
}

complete -o filenames -F _trace trace
