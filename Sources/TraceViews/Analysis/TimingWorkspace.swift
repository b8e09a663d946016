import TraceModel

/// A trace's critical path and its time by bucket, worked out in arrays kept from one trace to
/// the next: a whole-file `trace stats` analyses a million spans, and making two dozen arrays
/// anew for each trace was a third of its time. One trace's views use a fresh one.
struct TimingWorkspace<Key: Hashable & Sendable>: Sendable {
    /// The critical path's pieces, in time order (`walkCriticalPath`).
    private(set) var pieces: [Piece] = []
    /// Time by bucket along the path, adding up to the trace's duration, and beside it, with
    /// buckets of none left out (`time`).
    private(set) var path: [(bucket: Bucket<Key>, nanos: UInt64)] = []
    private(set) var parallel: [(bucket: Bucket<Key>, nanos: UInt64)] = []
    /// The tree as time reads it, and the spans whose time is the network's (`wait`).
    private(set) var waitingChildren: [[Int]] = []
    private(set) var network: [Bool] = []
    private var frames: [Frame] = []
    private var byEnd: [(index: Int, end: UInt64, position: Int)] = []
    private var onPath: [Bool] = []
    private var stack: [Int] = []

    /// A stretch of the path spent in one span (by its index), not in any of its children.
    struct Piece {
        var index: Int
        var start: UInt64
        var end: UInt64
        var isNetwork: Bool
        var nanos: UInt64 { end - start }
    }

    /// `CriticalPath.waiting`: a client's step in which a remote server span ran was waiting on
    /// it, so the server counts as the step's child.
    mutating func wait<S: TimedSpan>(_ spans: [S], _ links: SpanLinks) where S.Key == Key {
        let count = spans.count
        if waitingChildren.count > count { waitingChildren.removeLast(waitingChildren.count - count) }
        for index in waitingChildren.indices {
            waitingChildren[index].removeAll(keepingCapacity: true)
            waitingChildren[index].append(contentsOf: links.children[index])
        }
        for index in waitingChildren.count..<count { waitingChildren.append(links.children[index]) }
        network.removeAll(keepingCapacity: true)
        network.append(contentsOf: repeatElement(false, count: count))
        for (client, kids) in links.children.enumerated() where !kids.isEmpty {
            func isHop(_ child: Int) -> Bool {
                LatencyBreakdown.isHop(clientService: spans[client].serviceKey, clientKind: spans[client].kind,
                                       serverService: spans[child].serviceKey, serverKind: spans[child].kind)
            }
            guard kids.contains(where: isHop) else { continue }
            network[client] = true
            for step in kids where !isHop(step) { network[step] = true }
            for server in kids where isHop(server) {
                // The step the server's time falls in most: usually it lies inside the wait, but
                // its start can precede the wait's when the request was still being sent.
                func overlap(_ step: Int) -> UInt64 {
                    let start = max(spans[step].startTimeUnixNano, spans[server].startTimeUnixNano)
                    let end = min(spans[step].endTimeUnixNano, spans[server].endTimeUnixNano)
                    return end > start ? end - start : 0
                }
                // Of equal overlaps the shortest step, then the first.
                var wait: (step: Int, overlap: UInt64)?
                for step in kids where !isHop(step) {
                    let stepOverlap = overlap(step)
                    guard stepOverlap > 0 else { continue }
                    let isBetter = wait.map { best in
                        stepOverlap > best.overlap || (stepOverlap == best.overlap && spans[step].durationNanos < spans[best.step].durationNanos)
                    } ?? true
                    if isBetter { wait = (step, stepOverlap) }
                }
                guard let wait = wait?.step else { continue }
                waitingChildren[client].removeAll { $0 == server }
                waitingChildren[wait].append(server)
            }
        }
    }

    /// One span being walked back from `cursor` to its start (or its parent's, if later: a child
    /// counts only within its parent's window, as its end does), its children latest-ending first
    /// (ends cut at the span's own end; of equal ends the earliest start, which explains more of
    /// the wait, then the first listed), kept in `byEnd` from `first` to `end`: frames close last
    /// first, so one array serves them all. The cursor only moves back, so each child is passed
    /// over at most once.
    private struct Frame {
        var index: Int
        var cursor: UInt64
        var floor: UInt64
        var first: Int
        var next: Int
        var end: Int
    }

    /// Fills `pieces` with the trace's critical path (`CriticalPath` says how it is found).
    mutating func walkCriticalPath<S: TimedSpan>(_ spans: [S], _ links: SpanLinks) where S.Key == Key {
        pieces.removeAll(keepingCapacity: true)
        // The root whose subtree ends last decides the trace's duration; orphans are ignored.
        guard let root = links.roots.max(by: { spans[$0].endTimeUnixNano < spans[$1].endTimeUnixNano }) else { return }
        wait(spans, links)
        frames.removeAll(keepingCapacity: true)
        byEnd.removeAll(keepingCapacity: true)
        pushFrame(root, until: spans[root].endTimeUnixNano, from: spans[root].startTimeUnixNano, spans)
        // An explicit stack: a chain 100,000 deep is a valid trace.
        while !frames.isEmpty {
            let top = frames.count - 1
            let spanIndex = frames[top].index
            let isNetwork = network[spanIndex]
            let (cursor, floor) = (frames[top].cursor, frames[top].floor)
            // The child that finished last at or before the cursor, started before it, and ended
            // after this span's window began. Children ending later overlap what came after: off the path.
            var next: (index: Int, end: UInt64)?
            while cursor > floor, frames[top].next < frames[top].end {
                let candidate = byEnd[frames[top].next]
                frames[top].next += 1
                if candidate.end <= cursor, spans[candidate.index].startTimeUnixNano < cursor, candidate.end > floor {
                    next = (candidate.index, candidate.end)
                    break
                }
            }
            guard let next else {
                if cursor > floor { pieces.append(Piece(index: spanIndex, start: floor, end: cursor, isNetwork: isNetwork)) }
                byEnd.removeSubrange(frames[top].first...)
                frames.removeLast()
                continue
            }
            if next.end < cursor { pieces.append(Piece(index: spanIndex, start: next.end, end: cursor, isNetwork: isNetwork)) }
            frames[top].cursor = max(spans[next.index].startTimeUnixNano, floor)
            pushFrame(next.index, until: next.end, from: floor, spans)
        }
        // Pieces are found backwards in time.
        pieces.reverse()
    }

    private mutating func pushFrame<S: TimedSpan>(_ index: Int, until end: UInt64, from floor: UInt64, _ spans: [S]) {
        let cursor = min(end, spans[index].endTimeUnixNano)
        let first = byEnd.count
        for (position, child) in waitingChildren[index].enumerated() {
            byEnd.append((index: child, end: min(spans[child].endTimeUnixNano, cursor), position: position))
        }
        // Sorted in place through a pointer: sorting `byEnd[first...]` copies the slice out and back.
        byEnd.withUnsafeMutableBufferPointer { all in
            var frame = UnsafeMutableBufferPointer(rebasing: all[first...])
            frame.sort { a, b in
                (a.end, spans[b.index].startTimeUnixNano, b.position) > (b.end, spans[a.index].startTimeUnixNano, a.position)
            }
        }
        frames.append(Frame(index: index, cursor: cursor, floor: max(floor, spans[index].startTimeUnixNano), first: first, next: first, end: byEnd.count))
    }

    /// Fills `pieces`, `path` and `parallel` (`LatencyBreakdown` says what they hold).
    mutating func time<S: TimedSpan>(_ spans: [S], _ links: SpanLinks, durationNanos: UInt64) where S.Key == Key {
        walkCriticalPath(spans, links)
        // Summed in a short list: a path has many pieces but few buckets.
        path.removeAll(keepingCapacity: true)
        var pathTotal: UInt64 = 0
        for piece in pieces {
            Self.add(piece.nanos, to: piece.isNetwork ? .network : .service(spans[piece.index].serviceKey), in: &path)
            pathTotal += piece.nanos
        }
        if durationNanos > pathTotal { path.append((.outsideRootSpan, durationNanos - pathTotal)) }
        onPath.removeAll(keepingCapacity: true)
        onPath.append(contentsOf: repeatElement(false, count: spans.count))
        for piece in pieces { onPath[piece.index] = true }
        parallel.removeAll(keepingCapacity: true)
        // Every span below the roots, but a client's own steps (`http.send` beside the server
        // span it waited on): their time is the client's network time, counted once.
        // An explicit stack: a chain 100,000 deep is a valid trace.
        stack.removeAll(keepingCapacity: true)
        stack.append(contentsOf: links.roots)
        while let index = stack.popLast() {
            let span = spans[index]
            let children = links.children[index]
            func isServer(_ child: Int) -> Bool {
                LatencyBreakdown.isHop(clientService: span.serviceKey, clientKind: span.kind, serverService: spans[child].serviceKey, serverKind: spans[child].kind)
            }
            let hasServers = children.contains(where: isServer)
            for child in children where !hasServers || isServer(child) { stack.append(child) }
            guard !onPath[index] else { continue }
            let covered = LatencyBreakdown.unionNanos(
                of: children.lazy.filter { !hasServers || isServer($0) }.map { (start: spans[$0].startTimeUnixNano, end: spans[$0].endTimeUnixNano) },
                within: (span.startTimeUnixNano, span.endTimeUnixNano))
            let nanos = span.durationNanos - covered
            guard nanos > 0 else { continue }
            Self.add(nanos, to: hasServers ? .network : .service(span.serviceKey), in: &parallel)
        }
    }

    private static func add(_ nanos: UInt64, to bucket: Bucket<Key>, in totals: inout [(bucket: Bucket<Key>, nanos: UInt64)]) {
        if let at = totals.firstIndex(where: { $0.bucket == bucket }) { totals[at].nanos += nanos } else { totals.append((bucket, nanos)) }
    }
}
