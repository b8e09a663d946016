import Testing
@testable import TraceQL

@Suite struct TraceQLParserTests {
    @Test(arguments: [
        "{ }",
        "{ name = \"backend call\" }",
        "{ span.http.response.status_code >= 500 && resource.service.name = `backend` }",
        "{ .region = \"eu\" || span:kind = client }",
        "{ duration > 1.5s && trace:duration < 250us }",
        "{ span.\"odd key\" != nil }",
        "({ status = error } || { kind = server }) && { event:name = \"x\" }",
    ])
    func parses(_ text: String) throws {
        #expect(try TraceQLQuery(text).source == text)
    }

    @Test func operatorsBindStructuralTightestThenAndThenOr() throws {
        let query = try TraceQLQuery("{ name = \"a\" } || { name = \"b\" } && { name = \"c\" } > { name = \"d\" }")
        guard case .or(_, .and(_, .child(_, _))) = query.spansets else {
            Issue.record("parsed as \(query.spansets)")
            return
        }
        let inside = try TraceQLQuery("{ name = \"a\" || name = \"b\" && duration > 1ms }")
        guard case .selector(.or(_, .and(_, _))) = inside.spansets else {
            Issue.record("parsed as \(inside.spansets)")
            return
        }
    }

    @Test func literalsAndPipeline() throws {
        let query = try TraceQLQuery("{ span.a = -3 && span.b = 2.5 && span.c = true && duration = 250us && span.d = 1e3 } | count() > 2 | avg(duration) >= 20ms | by(resource.service.name)")
        var comparisons: [Literal] = []
        func walk(_ condition: SpanCondition) {
            switch condition {
            case .comparison(let comparison): comparisons.append(comparison.literal)
            case .and(let a, let b), .or(let a, let b): walk(a); walk(b)
            case .always: break
            }
        }
        guard case .selector(let condition) = query.spansets else { Issue.record("not a selector"); return }
        walk(condition)
        #expect(comparisons == [.int(-3), .float(2.5), .bool(true), .duration(250_000), .float(1000)])
        #expect(query.pipeline == [.count(.greater, 2), .aggregate(.avg, .intrinsic(.duration), .greaterOrEqual, 20_000_000), .by(.attribute(.resource, "service.name"))])
        #expect(query.grouping == .attribute(.resource, "service.name"))
    }

    @Test(arguments: [
        ("", 1, "expected a query"),
        ("{ name = }", 10, "expected a value"),
        ("{ name \"x\" }", 8, "expected an operator"),
        ("{ name = \"x\"", 13, "expected '}'"),
        ("{ foo = 1 }", 3, "unknown intrinsic 'foo'"),
        ("{ name =~ \"a(\" }", 11, "does not compile"),
        ("{ name = 3 }", 10, "name is text"),
        ("{ duration > 3 }", 14, "compares with a duration"),
        ("{ status = bad }", 12, "status is ok, error or unset, not 'bad'"),
        ("{ kind = servr }", 10, "kind is one of unspecified, internal, server, client, producer, consumer, not 'servr'"),
        ("{ span.x = bad }", 12, "expected a value"),
        ("{ status > error }", 10, "status compares with = or != only"),
        ("{ kind = \"server\" }", 10, "kind is one of"),
        ("{ span.x = ok }", 12, "ok is a status"),
        ("{ span.x > nil }", 10, "nil compares with = or != only"),
        ("{ span.x =~ 3 }", 13, "takes a regular expression"),
        ("{ } | count() > 1ms", 17, "expected a number"),
        ("{ } | avg(name) > 1", 11, "needs a number"),
        ("{ } | median(duration) > 1", 7, "unknown pipeline function 'median'"),
        ("{ } { }", 5, "expected &&, ||, >, >> or |"),
        ("{ span. = 1 }", 3, "expected an attribute name"),
        ("{ duration > 5parsecs }", 14, "is not a duration"),
        ("{ name = \"unterminated }", 10, "no closing"),
        ("{ name = 'x' }", 10, "unexpected character"),
    ])
    func errorsPointAtTheColumn(_ text: String, _ column: Int, _ words: String) {
        do {
            _ = try TraceQLQuery(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(words), "\(text): \(error)")
            let lines = error.caretLines
            #expect(lines.count == 2)
            #expect(lines[1].firstIndex(of: "^").map { lines[1].distance(from: lines[1].startIndex, to: $0) } == column + 1)
        }
    }
}
