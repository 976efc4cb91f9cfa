;; The layer-0 beam search of graph.ts (Graph#walkLayer without a filter function, the paper's
;; Algorithm 2) in WebAssembly: the bytes walk.ts holds (WALK_MODULE_BASE64) are exactly what this
;; assembles to (checked by test/wat-sources.test.ts with wabt). Change both together.
;;
;; Everything it reads lives in the graph's memory: vectors, layer-0 links, tombstones, the visited
;; tags (u16, epoch-stamped), both heaps and the neighbour list. l2 / dot are imported from the
;; distance module (kernels.wat) instantiated over the same memory; once ef results are held, squared
;; L2 goes through $l2b here instead (l2's sum that gives up halfway past the bound: same decisions,
;; same values for every node kept); the binary metrics (Hamming, Jaccard over bit-packed vectors)
;; are counted here, inline.
;;
;; The heaps are the JS DistanceHeap's, record by record: 16-byte records {f64 key, i32 id, pad},
;; largest key on top, key = distance (results, farthest first) or −distance (candidates, closest
;; first), the same sift-up/sift-down comparisons; so the walk expands the same nodes in the same
;; order and leaves the same result heap as the JS walk, bit for bit.
;;
;; Exports search_layer0, select (the neighbour-selection heuristic) and drain (the result heap,
;; sorted), below.
;;
;; search_layer0(q, ep, ef, sb, links, s0, tags, epoch, del, excl, bits, cand, res, pend, kind,
;; maxv, ccap, cnt) → number of results in the heap at res; −1 after more than maxv distances (bits:
;; byte offset of a filter bitset, −1 (0xffffffff) for none; offsets are unsigned, up to 4 GiB);
;; −2 when the candidate heap (ccap records) is full. kind: the metric (0 l2, 1 dot, 2 hamming,
;; 3 jaccard; sb is then the padded byte length of a bit-packed vector, a multiple of 16). cnt:
;; under Jaccard, the byte offset of the per-node bit counts ($count_of); unused otherwise.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (import "k" "l2" (func $l2 (param i32 i32 i32) (result f32)))
  (import "k" "dot" (func $dot (param i32 i32 i32) (result f32)))
  (func $sift_down (param $h i32) (param $n i32) (param $key f64) (param $id i32)
    (local $i i32) (local $child i32) (local $ck f64) (local $rk f64) (local $right i32)
    (block $done
      (loop $next
        (local.set $child (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_s (local.get $child) (local.get $n)))
        (local.set $ck (f64.load (i32.add (local.get $h) (i32.shl (local.get $child) (i32.const 4)))))
        (local.set $right (i32.add (local.get $child) (i32.const 1)))
        (if (i32.lt_s (local.get $right) (local.get $n))
          (then
            (local.set $rk (f64.load (i32.add (local.get $h) (i32.shl (local.get $right) (i32.const 4)))))
            (if (f64.gt (local.get $rk) (local.get $ck))
              (then (local.set $child (local.get $right)) (local.set $ck (local.get $rk))))))
        (br_if $done (f64.le (local.get $ck) (local.get $key)))
        (f64.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))) (local.get $ck))
        (i32.store offset=8 (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4)))
          (i32.load offset=8 (i32.add (local.get $h) (i32.shl (local.get $child) (i32.const 4)))))
        (local.set $i (local.get $child))
        (br $next)))
    (f64.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))) (local.get $key))
    (i32.store offset=8 (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))) (local.get $id)))
  (func $push (param $h i32) (param $n i32) (param $key f64) (param $id i32)
    (local $i i32) (local $parent i32) (local $pk f64)
    (local.set $i (local.get $n))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $parent (i32.shr_s (i32.sub (local.get $i) (i32.const 1)) (i32.const 1)))
        (local.set $pk (f64.load (i32.add (local.get $h) (i32.shl (local.get $parent) (i32.const 4)))))
        (br_if $done (f64.ge (local.get $pk) (local.get $key)))
        (f64.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))) (local.get $pk))
        (i32.store offset=8 (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4)))
          (i32.load offset=8 (i32.add (local.get $h) (i32.shl (local.get $parent) (i32.const 4)))))
        (local.set $i (local.get $parent))
        (br $next)))
    (f64.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))) (local.get $key))
    (i32.store offset=8 (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))) (local.get $id)))
  (func $live (param $nb i32) (param $del i32) (param $excl i32) (param $bits i32) (result i32)
    (if (i32.load8_u (i32.add (local.get $del) (local.get $nb))) (then (return (i32.const 0))))
    (if (i32.eq (local.get $nb) (local.get $excl)) (then (return (i32.const 0))))
    (if (i32.ne (local.get $bits) (i32.const -1))
      (then (return (i32.and (i32.shr_u (i32.load (i32.add (local.get $bits) (i32.shl (i32.shr_u (local.get $nb) (i32.const 5)) (i32.const 2))))
                                        (i32.and (local.get $nb) (i32.const 31))) (i32.const 1)))))
    (i32.const 1))
  ;; Binary metrics count bits 8 bytes at a time with i64.popcnt (one instruction on x64 and arm64;
  ;; inline here it costs ~0.6× a call of binary-kernels.wat's SIMD kernel). The counts are exact
  ;; integers, so the distances are the f32s that binary-kernels.ts returns, bit for bit.
  (func $hamming (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $x i64)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $step
      (local.set $x (i64.add (local.get $x)
        (i64.add (i64.popcnt (i64.xor (i64.load (local.get $a)) (i64.load (local.get $b))))
                 (i64.popcnt (i64.xor (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $b)))))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $step (i32.lt_u (local.get $a) (local.get $end))))
    (f64.convert_i64_u (local.get $x)))
  (func $jaccard (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $x i64) (local $y i64) (local $i i64) (local $u i64)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $step
      (local.set $x (i64.load (local.get $a)))
      (local.set $y (i64.load (local.get $b)))
      (local.set $i (i64.add (local.get $i) (i64.popcnt (i64.and (local.get $x) (local.get $y)))))
      (local.set $u (i64.add (local.get $u) (i64.popcnt (i64.or (local.get $x) (local.get $y)))))
      (local.set $x (i64.load offset=8 (local.get $a)))
      (local.set $y (i64.load offset=8 (local.get $b)))
      (local.set $i (i64.add (local.get $i) (i64.popcnt (i64.and (local.get $x) (local.get $y)))))
      (local.set $u (i64.add (local.get $u) (i64.popcnt (i64.or (local.get $x) (local.get $y)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $step (i32.lt_u (local.get $a) (local.get $end))))
    ;; (|a OR b| − |a AND b|) / |a OR b| as one f32 division, 0 when both vectors are all zeros.
    (if (result f64) (i64.eqz (local.get $u))
      (then (f64.const 0))
      (else (f64.promote_f32 (f32.div (f32.convert_i64_u (i64.sub (local.get $u) (local.get $i))) (f32.convert_i64_u (local.get $u)))))))
  ;; Set bits of the n bytes at v (n a multiple of 16).
  (func $bitcount (param $v i32) (param $n i32) (result i64)
    (local $end i32) (local $x i64)
    (local.set $end (i32.add (local.get $v) (local.get $n)))
    (loop $step
      (local.set $x (i64.add (local.get $x)
        (i64.add (i64.popcnt (i64.load (local.get $v))) (i64.popcnt (i64.load offset=8 (local.get $v))))))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (br_if $step (i32.lt_u (local.get $v) (local.get $end))))
    (local.get $x))
  ;; Jaccard's per-node bit counts: the i32 at cnt + 4·id holds 1 + the set bits of node id's
  ;; vector, or 0 when not known yet (fresh memory, a grown graph, an updated vector: graph.ts
  ;; zeroes it then); a 0 is counted here and stored. With |a| and |b| known, |a OR b| is
  ;; |a| + |b| − |a AND b|: one popcount per word instead of two, the same exact integers.
  (func $count_of (param $cnt i32) (param $id i32) (param $sb i32) (result i64)
    (local $at i32) (local $c i32) (local $x i64)
    (local.set $at (i32.add (local.get $cnt) (i32.shl (local.get $id) (i32.const 2))))
    (local.set $c (i32.load (local.get $at)))
    (if (result i64) (local.get $c)
      (then (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 1))))
      (else
        (local.set $x (call $bitcount (i32.mul (i32.add (local.get $id) (i32.const 1)) (local.get $sb)) (local.get $sb)))
        (i32.store (local.get $at) (i32.add (i32.wrap_i64 (local.get $x)) (i32.const 1)))
        (local.get $x))))
  ;; kind: 0 squared L2, 1 dot (1 − dot), 2 Hamming, 3 Jaccard (graph.ts's metric ids).
  (func $dist (param $q i32) (param $v i32) (param $sb i32) (param $kind i32) (result f64)
    (if (result f64) (i32.ge_u (local.get $kind) (i32.const 2))
      (then
        (if (result f64) (i32.eq (local.get $kind) (i32.const 2))
          (then (call $hamming (local.get $q) (local.get $v) (local.get $sb)))
          (else (call $jaccard (local.get $q) (local.get $v) (local.get $sb)))))
      (else
        (if (result f64) (local.get $kind)
          (then (f64.sub (f64.const 1) (f64.promote_f32 (call $dot (local.get $q) (local.get $v) (local.get $sb)))))
          (else (f64.promote_f32 (call $l2 (local.get $q) (local.get $v) (local.get $sb))))))))
  ;; l2b(a, b, n, bound): k.l2's squared L2 distance, the same additions in the same order, except
  ;; that it stops halfway when the sum so far (its four accumulators combined as l2 combines them at
  ;; the end) is not below `bound`, and returns that partial sum instead. Every term is a square
  ;; (≥ 0) and rounded addition of a non-negative number never decreases a sum, so the full distance
  ;; is not below the partial one: a node it stops at is one the walk would reject anyway (its
  ;; distance is not below the bound), and every node it does not stop at gets l2's exact f32.
  (func $l2b (param $a i32) (param $b i32) (param $n i32) (param $bound f32) (result f32)
    (local $end i32) (local $end64 i32) (local $half i32) (local $acc0 v128) (local $acc1 v128) (local $d v128) (local $acc2 v128) (local $acc3 v128)
    (local $p v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (local.set $end64 (i32.sub (local.get $end) (i32.const 32)))
    ;; the check point: after the 64-byte steps that cover about half the vector (none below 128 bytes)
    (local.set $half (i32.add (local.get $a) (i32.and (i32.shr_u (local.get $n) (i32.const 1)) (i32.const -64))))
    (block $tail
      (br_if $tail (i32.ge_u (local.get $a) (local.get $end64)))
      (loop $next
        (local.set $acc0 (f32x4.add (f32x4.mul (local.tee $d (f32x4.sub (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b)))) (local.get $d)) (local.get $acc0)))
        (local.set $acc1 (f32x4.add (f32x4.mul (local.tee $d (f32x4.sub (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b)))) (local.get $d)) (local.get $acc1)))
        (local.set $acc2 (f32x4.add (f32x4.mul (local.tee $d (f32x4.sub (v128.load offset=32 align=4 (local.get $a)) (v128.load offset=32 align=4 (local.get $b)))) (local.get $d)) (local.get $acc2)))
        (local.set $acc3 (f32x4.add (f32x4.mul (local.tee $d (f32x4.sub (v128.load offset=48 align=4 (local.get $a)) (v128.load offset=48 align=4 (local.get $b)))) (local.get $d)) (local.get $acc3)))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (if (i32.eq (local.get $a) (local.get $half))
          (then
            (local.set $p (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (f32x4.add (local.get $acc2) (local.get $acc3))))
            (if (f32.ge
                  (f32.add
                    (f32.add (f32x4.extract_lane 0 (local.get $p)) (f32x4.extract_lane 1 (local.get $p)))
                    (f32.add (f32x4.extract_lane 2 (local.get $p)) (f32x4.extract_lane 3 (local.get $p))))
                  (local.get $bound))
              (then
                (return
                  (f32.add
                    (f32.add (f32x4.extract_lane 0 (local.get $p)) (f32x4.extract_lane 1 (local.get $p)))
                    (f32.add (f32x4.extract_lane 2 (local.get $p)) (f32x4.extract_lane 3 (local.get $p)))))))))
        (br_if $next (i32.lt_u (local.get $a) (local.get $end64)))))
    (if (i32.lt_u (local.get $a) (local.get $end))
      (then
        (local.set $acc0 (f32x4.add (f32x4.mul (local.tee $d (f32x4.sub (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b)))) (local.get $d)) (local.get $acc0)))
        (local.set $acc1 (f32x4.add (f32x4.mul (local.tee $d (f32x4.sub (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b)))) (local.get $d)) (local.get $acc1)))))
    (local.set $acc0 (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (f32x4.add (local.get $acc2) (local.get $acc3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
  (func (export "search_layer0")
    (param $q i32) (param $ep i32) (param $ef i32) (param $sb i32) (param $links i32) (param $s0 i32)
    (param $tags i32) (param $epoch i32) (param $del i32) (param $excl i32) (param $bits i32)
    (param $cand i32) (param $res i32) (param $pend i32) (param $kind i32) (param $maxv i32) (param $ccap i32)
    (param $cnt i32)
    (result i32)
    (local $nc i32) (local $nr i32) (local $bound f64) (local $d f64) (local $c i32) (local $base i32)
    (local $end i32) (local $nb i32) (local $m i32) (local $visits i32) (local $sink i32) (local $off i32)
    (local $o i32) (local $p i32) (local $pe i32) (local $ta i32) (local $v i32) (local $ve i32) (local $a i32) (local $x i64) (local $y i64) (local $ji i64) (local $ju i64)
    (local $hkey f64) (local $hid i32) (local $hi i32) (local $hch i32) (local $hck f64) (local $hrk f64) (local $hrt i32)
    (local $qc i64) (local $vc i64) (local $ci i32)
    ;; Jaccard: the query's bit count, once per walk
    (if (i32.eq (local.get $kind) (i32.const 3)) (then (local.set $qc (call $bitcount (local.get $q) (local.get $sb)))))
    (i32.store16 (i32.add (local.get $tags) (i32.shl (local.get $ep) (i32.const 1))) (local.get $epoch))
    (local.set $d (call $dist (local.get $q) (i32.mul (i32.add (local.get $ep) (i32.const 1)) (local.get $sb)) (local.get $sb) (local.get $kind)))
    (call $push (local.get $cand) (i32.const 0) (f64.neg (local.get $d)) (local.get $ep))
    (local.set $nc (i32.const 1))
    (local.set $bound (f64.const inf))
    (local.set $visits (i32.const 1))
    (if (call $live (local.get $ep) (local.get $del) (local.get $excl) (local.get $bits))
      (then
        (call $push (local.get $res) (i32.const 0) (local.get $d) (local.get $ep))
        (local.set $nr (i32.const 1))
        (local.set $bound (local.get $d))))
    (block $done
      (loop $walk
        (br_if $done (i32.eqz (local.get $nc)))
        (br_if $done (i32.and (f64.gt (f64.neg (f64.load (local.get $cand))) (local.get $bound)) (i32.ge_s (local.get $nr) (local.get $ef))))
        (if (i32.gt_s (local.get $visits) (local.get $maxv)) (then (return (i32.const -1))))
        (local.set $c (i32.load offset=8 (local.get $cand)))
        (local.set $nc (i32.sub (local.get $nc) (i32.const 1)))
        (if (i32.gt_s (local.get $nc) (i32.const 0))
          (then
            ;; $sift_down inline (here and for the two heap updates below: wasm calls are not inlined)
            (local.set $hkey (f64.load (i32.add (local.get $cand) (i32.shl (local.get $nc) (i32.const 4)))))
            (local.set $hid (i32.load offset=8 (i32.add (local.get $cand) (i32.shl (local.get $nc) (i32.const 4)))))
            (local.set $hi (i32.const 0))
            (block $sd1
              (loop $sdn1
                (local.set $hch (i32.add (i32.shl (local.get $hi) (i32.const 1)) (i32.const 1)))
                (br_if $sd1 (i32.ge_s (local.get $hch) (local.get $nc)))
                (local.set $hck (f64.load (i32.add (local.get $cand) (i32.shl (local.get $hch) (i32.const 4)))))
                (local.set $hrt (i32.add (local.get $hch) (i32.const 1)))
                (if (i32.lt_s (local.get $hrt) (local.get $nc))
                  (then
                    (local.set $hrk (f64.load (i32.add (local.get $cand) (i32.shl (local.get $hrt) (i32.const 4)))))
                    (if (f64.gt (local.get $hrk) (local.get $hck))
                      (then (local.set $hch (local.get $hrt)) (local.set $hck (local.get $hrk))))))
                (br_if $sd1 (f64.le (local.get $hck) (local.get $hkey)))
                (f64.store (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hck))
                (i32.store offset=8 (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (i32.load offset=8 (i32.add (local.get $cand) (i32.shl (local.get $hch) (i32.const 4)))))
                (local.set $hi (local.get $hch))
                (br $sdn1)))
            (f64.store (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hkey))
            (i32.store offset=8 (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hid))))
        (local.set $base (i32.add (local.get $links) (i32.mul (local.get $c) (local.get $s0))))
        (local.set $end (i32.add (local.get $base) (i32.shl (i32.load (local.get $base)) (i32.const 2))))
        (local.set $m (i32.const 0))
        ;; pass 1: mark unvisited neighbours, list them, touch one int per 64-byte line of each vector
        (block $l1done
          (loop $l1
            (br_if $l1done (i32.ge_u (local.get $base) (local.get $end)))
            (local.set $base (i32.add (local.get $base) (i32.const 4)))
            (local.set $nb (i32.load (local.get $base)))
            (local.set $ta (i32.add (local.get $tags) (i32.shl (local.get $nb) (i32.const 1))))
            (br_if $l1 (i32.eq (i32.load16_u (local.get $ta)) (local.get $epoch)))
            (i32.store16 (local.get $ta) (local.get $epoch))
            (i32.store (i32.add (local.get $pend) (i32.shl (local.get $m) (i32.const 2))) (local.get $nb))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            ;; and the first line of its layer-0 list: expanding it later starts with a load of its
            ;; count, which missed the cache at the head of most expansions (the lists lie apart
            ;; from the vectors); touched here, with the vectors, the misses overlap
            (local.set $sink (i32.add (local.get $sink) (i32.load (i32.add (local.get $links) (i32.mul (local.get $nb) (local.get $s0))))))
            (local.set $off (i32.mul (i32.add (local.get $nb) (i32.const 1)) (local.get $sb)))
            (local.set $o (i32.add (local.get $off) (local.get $sb)))
            (loop $touch
              (local.set $sink (i32.add (local.get $sink) (i32.load (local.get $off))))
              (local.set $off (i32.add (local.get $off) (i32.const 64)))
              (br_if $touch (i32.lt_u (local.get $off) (local.get $o))))
            (br $l1)))
        (local.set $visits (i32.add (local.get $visits) (local.get $m)))
        ;; pass 2: distances, then the heaps
        (local.set $p (local.get $pend))
        (local.set $pe (i32.add (local.get $pend) (i32.shl (local.get $m) (i32.const 2))))
        (block $l2done
          (loop $l2
            (br_if $l2done (i32.ge_u (local.get $p) (local.get $pe)))
            (local.set $nb (i32.load (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $v (i32.mul (i32.add (local.get $nb) (i32.const 1)) (local.get $sb)))
            (if (i32.eq (local.get $kind) (i32.const 2))
              (then
                ;; Hamming inline ($hamming's loop): wasm calls are not inlined, and a call costs
                ;; about as much as counting a 256-bit vector.
                (local.set $a (local.get $q))
                (local.set $ve (i32.add (local.get $v) (local.get $sb)))
                (local.set $x (i64.const 0))
                (loop $count
                  (local.set $x (i64.add (local.get $x)
                    (i64.add (i64.popcnt (i64.xor (i64.load (local.get $a)) (i64.load (local.get $v))))
                             (i64.popcnt (i64.xor (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $v)))))))
                  (local.set $a (i32.add (local.get $a) (i32.const 16)))
                  (local.set $v (i32.add (local.get $v) (i32.const 16)))
                  (br_if $count (i32.lt_u (local.get $v) (local.get $ve))))
                (local.set $d (f64.convert_i64_u (local.get $x))))
              (else
                (if (i32.eq (local.get $kind) (i32.const 3))
                  (then
                    ;; Jaccard inline (as $jaccard, with one popcount per word), for the same reason: the
                    ;; node's bit count from the counts at cnt ($count_of inline; a missing one is
                    ;; counted by the call), then one popcount per word of q AND v
                    (local.set $ci (i32.load (i32.add (local.get $cnt) (i32.shl (local.get $nb) (i32.const 2)))))
                    (local.set $vc
                      (if (result i64) (local.get $ci)
                        (then (i64.extend_i32_u (i32.sub (local.get $ci) (i32.const 1))))
                        (else (call $count_of (local.get $cnt) (local.get $nb) (local.get $sb)))))
                    (local.set $a (local.get $q))
                    (local.set $ve (i32.add (local.get $v) (local.get $sb)))
                    (local.set $ji (i64.const 0))
                    (loop $count2
                      (local.set $ji (i64.add (local.get $ji)
                        (i64.add (i64.popcnt (i64.and (i64.load (local.get $a)) (i64.load (local.get $v))))
                                 (i64.popcnt (i64.and (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $v)))))))
                      (local.set $a (i32.add (local.get $a) (i32.const 16)))
                      (local.set $v (i32.add (local.get $v) (i32.const 16)))
                      (br_if $count2 (i32.lt_u (local.get $v) (local.get $ve))))
                    ;; |q OR v| = |q| + |v| − |q AND v|
                    (local.set $ju (i64.sub (i64.add (local.get $qc) (local.get $vc)) (local.get $ji)))
                    ;; (counts below 2^24, exact in f32 from i32 as from u64: the same f32s, fewer instructions)
                    ;; With ef results held, a node whose exact ratio (u − i) / u is not below the bound
                    ;; B is not kept: its f32 rounding is not below B either (B is an f32, rounding is
                    ;; monotone). (u − i) ≥ B · u decides that exactly in f64 (B has 24 significant
                    ;; bits, u at most 2^24: the product is exact) without the division; d = B then
                    ;; makes the test below fail as the rounded distance would.
                    (local.set $d
                      (if (result f64) (i64.eqz (local.get $ju))
                        (then (f64.const 0))
                        (else
                          (if (result f64)
                            (i32.and (i32.ge_s (local.get $nr) (local.get $ef))
                              (f64.ge (f64.convert_i64_s (i64.sub (local.get $ju) (local.get $ji))) (f64.mul (local.get $bound) (f64.convert_i64_s (local.get $ju)))))
                            (then (local.get $bound))
                            (else (f64.promote_f32 (f32.div (f32.convert_i32_s (i32.wrap_i64 (i64.sub (local.get $ju) (local.get $ji)))) (f32.convert_i32_s (i32.wrap_i64 (local.get $ju)))))))))))
                  (else
                    ;; squared L2 with ef results held: the bounded kernel (a node past the bound
                    ;; halfway is rejected without its second half; the others get l2's exact value)
                    (if (i32.and (i32.eqz (local.get $kind)) (i32.ge_s (local.get $nr) (local.get $ef)))
                      (then (local.set $d (f64.promote_f32 (call $l2b (local.get $q) (local.get $v) (local.get $sb) (f32.demote_f64 (local.get $bound))))))
                      (else (local.set $d (call $dist (local.get $q) (local.get $v) (local.get $sb) (local.get $kind)))))))))
            (if (i32.or (i32.lt_s (local.get $nr) (local.get $ef)) (f64.lt (local.get $d) (local.get $bound)))
              (then
                (if (i32.ge_s (local.get $nc) (local.get $ccap)) (then (return (i32.const -2))))
                (local.set $hkey (f64.neg (local.get $d)))
                (local.set $hid (local.get $nb))
                (local.set $hi (local.get $nc))
                (block $pu2
                  (loop $pun2
                    (br_if $pu2 (i32.eqz (local.get $hi)))
                    (local.set $hch (i32.shr_s (i32.sub (local.get $hi) (i32.const 1)) (i32.const 1)))
                    (local.set $hck (f64.load (i32.add (local.get $cand) (i32.shl (local.get $hch) (i32.const 4)))))
                    (br_if $pu2 (f64.ge (local.get $hck) (local.get $hkey)))
                    (f64.store (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hck))
                    (i32.store offset=8 (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (i32.load offset=8 (i32.add (local.get $cand) (i32.shl (local.get $hch) (i32.const 4)))))
                    (local.set $hi (local.get $hch))
                    (br $pun2)))
                (f64.store (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hkey))
                (i32.store offset=8 (i32.add (local.get $cand) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hid))
                (local.set $nc (i32.add (local.get $nc) (i32.const 1)))
                ;; $live inline: a tombstone, the excluded node or a clear filter bit is walked through, not kept
                (block $dead
                  (br_if $dead (i32.load8_u (i32.add (local.get $del) (local.get $nb))))
                  (br_if $dead (i32.eq (local.get $nb) (local.get $excl)))
                  (if (i32.ne (local.get $bits) (i32.const -1))
                    (then
                      (br_if $dead (i32.eqz (i32.and (i32.shr_u (i32.load (i32.add (local.get $bits) (i32.shl (i32.shr_u (local.get $nb) (i32.const 5)) (i32.const 2))))
                                                                (i32.and (local.get $nb) (i32.const 31))) (i32.const 1))))))
                  (if (i32.lt_s (local.get $nr) (local.get $ef))
                    (then
                      (call $push (local.get $res) (local.get $nr) (local.get $d) (local.get $nb))
                      (local.set $nr (i32.add (local.get $nr) (i32.const 1))))
                    (else
                      (local.set $hkey (local.get $d))
                      (local.set $hid (local.get $nb))
                      (local.set $hi (i32.const 0))
                      (block $sd3
                        (loop $sdn3
                          (local.set $hch (i32.add (i32.shl (local.get $hi) (i32.const 1)) (i32.const 1)))
                          (br_if $sd3 (i32.ge_s (local.get $hch) (local.get $nr)))
                          (local.set $hck (f64.load (i32.add (local.get $res) (i32.shl (local.get $hch) (i32.const 4)))))
                          (local.set $hrt (i32.add (local.get $hch) (i32.const 1)))
                          (if (i32.lt_s (local.get $hrt) (local.get $nr))
                            (then
                              (local.set $hrk (f64.load (i32.add (local.get $res) (i32.shl (local.get $hrt) (i32.const 4)))))
                              (if (f64.gt (local.get $hrk) (local.get $hck))
                                (then (local.set $hch (local.get $hrt)) (local.set $hck (local.get $hrk))))))
                          (br_if $sd3 (f64.le (local.get $hck) (local.get $hkey)))
                          (f64.store (i32.add (local.get $res) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hck))
                          (i32.store offset=8 (i32.add (local.get $res) (i32.shl (local.get $hi) (i32.const 4))) (i32.load offset=8 (i32.add (local.get $res) (i32.shl (local.get $hch) (i32.const 4)))))
                          (local.set $hi (local.get $hch))
                          (br $sdn3)))
                      (f64.store (i32.add (local.get $res) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hkey))
                      (i32.store offset=8 (i32.add (local.get $res) (i32.shl (local.get $hi) (i32.const 4))) (local.get $hid))))
                  (local.set $bound (f64.load (local.get $res))))))
            (br $l2)))
        (br $walk)))
    (i32.store (local.get $pend) (local.get $sink))
    (local.get $nr))
  ;; select(ids, dists, n, max, sb, kind, cnt) → kept: graph.ts's neighbour-selection heuristic
  ;; (selectNeighbours, the paper's Algorithm 4) over n candidates sorted ascending (i32 ids at ids,
  ;; f64 distances at dists): a candidate is kept when no kept one is closer to it than its distance,
  ;; until max are kept; the kept ones are moved to the front of both arrays, in order. The same
  ;; distances, the same comparisons, in the same order as the JS loop: the same ones are kept.
  (func (export "select")
    (param $ids i32) (param $dists i32) (param $n i32) (param $max i32) (param $sb i32) (param $kind i32) (param $cnt i32)
    (result i32)
    (local $kept i32) (local $i i32) (local $c i32) (local $dc f64) (local $cb i32) (local $s i32) (local $cc i64) (local $sid i32)
    (local $ci i32) (local $u i64) (local $x i64) (local $a i32) (local $v i32) (local $ve i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (br_if $done (i32.ge_s (local.get $kept) (local.get $max)))
        (local.set $c (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $dc (f64.load (i32.add (local.get $dists) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $cb (i32.mul (i32.add (local.get $c) (i32.const 1)) (local.get $sb)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $s (i32.const 0))
        (if (i32.eq (local.get $kind) (i32.const 3))
          (then (local.set $cc (call $count_of (local.get $cnt) (local.get $c) (local.get $sb)))))
        (block $good
          (loop $check
            (br_if $good (i32.ge_s (local.get $s) (local.get $kept)))
            (local.set $sid (i32.load (i32.add (local.get $ids) (i32.shl (local.get $s) (i32.const 2)))))
            ;; a kept neighbour closer to the candidate than the base is: drop the candidate
            (br_if $next (f64.lt
              (if (result f64) (i32.eq (local.get $kind) (i32.const 3))
                (then
                  ;; Jaccard as in search_layer0 (|c| counted once per candidate, |s| from the table)
                  (local.set $ci (i32.load (i32.add (local.get $cnt) (i32.shl (local.get $sid) (i32.const 2)))))
                  (local.set $u
                    (if (result i64) (local.get $ci)
                      (then (i64.extend_i32_u (i32.sub (local.get $ci) (i32.const 1))))
                      (else (call $count_of (local.get $cnt) (local.get $sid) (local.get $sb)))))
                  (local.set $a (local.get $cb))
                  (local.set $v (i32.mul (i32.add (local.get $sid) (i32.const 1)) (local.get $sb)))
                  (local.set $ve (i32.add (local.get $a) (local.get $sb)))
                  (local.set $x (i64.const 0))
                  (loop $count3
                    (local.set $x (i64.add (local.get $x)
                      (i64.add (i64.popcnt (i64.and (i64.load (local.get $a)) (i64.load (local.get $v))))
                               (i64.popcnt (i64.and (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $v)))))))
                    (local.set $a (i32.add (local.get $a) (i32.const 16)))
                    (local.set $v (i32.add (local.get $v) (i32.const 16)))
                    (br_if $count3 (i32.lt_u (local.get $a) (local.get $ve))))
                  (local.set $u (i64.sub (i64.add (local.get $cc) (local.get $u)) (local.get $x)))
                  (if (result f64) (i64.eqz (local.get $u))
                    (then (f64.const 0))
                    (else (f64.promote_f32 (f32.div (f32.convert_i32_s (i32.wrap_i64 (i64.sub (local.get $u) (local.get $x)))) (f32.convert_i32_s (i32.wrap_i64 (local.get $u))))))))
                (else (call $dist (local.get $cb) (i32.mul (i32.add (local.get $sid) (i32.const 1)) (local.get $sb)) (local.get $sb) (local.get $kind))))
              (local.get $dc)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $check)))
        (i32.store (i32.add (local.get $ids) (i32.shl (local.get $kept) (i32.const 2))) (local.get $c))
        (f64.store (i32.add (local.get $dists) (i32.shl (local.get $kept) (i32.const 3))) (local.get $dc))
        (local.set $kept (i32.add (local.get $kept) (i32.const 1)))
        (br $next)))
    (local.get $kept))
  ;; drain(h, n, ids, dists): empties the result heap at h (n records, farthest first) into i32 ids
  ;; at ids and f64 distances at dists, ascending: the top goes to slot n − 1, then the last record
  ;; sifts down from the root over the rest ($sift_down), as DistanceHeap#drainAscending pops it;
  ;; so equal distances come out in the same order as there, and a build links the same. Lets a
  ;; build drain and select in place (graph.ts linkLayer0Wasm) instead of copying the heap to JS.
  (func (export "drain") (param $h i32) (param $n i32) (param $ids i32) (param $dists i32)
    (local $i i32) (local $last i32)
    (local.set $i (local.get $n))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (i32.store (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2))) (i32.load offset=8 (local.get $h)))
        (f64.store (i32.add (local.get $dists) (i32.shl (local.get $i) (i32.const 3))) (f64.load (local.get $h)))
        (if (local.get $i)
          (then
            (local.set $last (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 4))))
            (call $sift_down (local.get $h) (local.get $i) (f64.load (local.get $last)) (i32.load offset=8 (local.get $last)))))
        (br $next))))
)
