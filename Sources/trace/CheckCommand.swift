import ArgumentParser
import Foundation
import TraceCheck
import TraceModel
import TraceStore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a run against rules, for CI: exits 0 when every rule holds, 1 when one does not.",
        discussion: """
            Rules, each given with --require or one a line in a --rules file (# starts a comment):

              no 'TRACEQL'                    no span matches the query
              count('TRACEQL') >= 100         how many spans match (<, <=, >, >=, = or !=)
              p99('TRACEQL') < 50ms           p50, p90, p95, p99, max or mean of their durations
              no slower                       no operation slower than in --baseline (as trace compare decides)

            Checks --run (default: the last run, or the whole file when none is recorded); prints each \
            rule with what it measured, PASS or FAIL. A rule that does not parse exits 64, with a caret \
            under the mistake. --junit writes the results as JUnit XML, which CI systems show as tests.

              trace exec -- ./integration-tests.sh
              trace check --require "no '{ status = error }'" --require "p99('{ kind = server }') < 200ms"
              trace check --baseline main --require 'no slower' --junit trace-check.xml
            """)

    @Option(name: .customLong("require"), help: ArgumentHelp("A rule that must hold; repeat for several.", valueName: "rule"))
    var rules: [String] = []

    @Option(name: .customLong("rules"), help: ArgumentHelp("A file of rules, one a line; # starts a comment.", valueName: "file"))
    var rulesFile: String?

    @Option(help: ArgumentHelp("The run to check (default: the last run).", valueName: "run"))
    var run: RunSelector?

    @Option(help: ArgumentHelp("The run 'no slower' compares against.", valueName: "run"))
    var baseline: RunSelector?

    @Option(help: ArgumentHelp("How sure 'no slower' must be before it calls a change, from 0.5 to 0.9999.", valueName: "level"))
    var confidence = 0.99

    @Option(help: ArgumentHelp("Also write the results as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !rules.isEmpty || rulesFile != nil else { throw ValidationError("give at least one --require RULE or --rules FILE") }
        guard (0.5...0.9999).contains(confidence) else { throw ValidationError("--confidence must be from 0.5 to 0.9999, got \(confidence)") }
    }

    func run() async throws {
        let parsed = try parsedRules()
        let store = try database.openForReading()
        defer { try? store.close() }
        let checked = try run.map { try RunOption.resolve($0, in: store) } ?? store.run(.last(back: 0))
        let subject = checked.map(Self.name) ?? "every trace in \(store.path)"
        let against = try baseline.map { try RunOption.resolve($0, in: store) }
        let report = try await CheckReport.check(
            parsed, in: store, among: checked.map { TraceQuery().within($0) } ?? TraceQuery(), subject: subject,
            baseline: against.map { (store, TraceQuery().within($0), Self.name($0)) }, confidence: confidence)
        print(report.text(style: Terminal.style), terminator: "")
        if let junit {
            do { try Data(report.junit().utf8).write(to: URL(fileURLWithPath: junit)) } catch {
                throw UserFacingError("cannot write \(junit): \(error.localizedDescription)")
            }
        }
        if !report.passed { throw ExitCode(1) }
    }

    static func name(_ run: RecordedRun) -> String {
        "run \(run.id)" + (run.label.map { " \"\($0)\"" } ?? "")
    }

    /// The --require rules, then the file's; the first that does not parse is a usage error.
    func parsedRules() throws -> [CheckRule] {
        var texts = rules
        if let rulesFile {
            let contents: String
            do { contents = try String(contentsOfFile: rulesFile, encoding: .utf8) } catch {
                throw UserFacingError("cannot read \(rulesFile): \(error.localizedDescription)")
            }
            texts += contents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        return try texts.map { text in
            do { return try CheckRule(text) } catch let error as CheckRule.SyntaxError {
                throw UserFacingError(error.description, exitCode: ExitCode.validationFailure.rawValue, context: error.caretLines)
            }
        }
    }
}
