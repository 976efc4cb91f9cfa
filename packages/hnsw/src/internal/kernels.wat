;; Distance kernels of kernels.ts (l2, dot and their list forms l2_many, dot_many), in text form: the bytes that kernels.ts assembles by hand
;; (distanceModuleBytes) are exactly what this assembles to (checked by test/wat-sources.test.ts with
;; wabt). Change both together.
;;
;; l2(a, b, n) = Σ (a_i − b_i)² and dot(a, b, n) = Σ a_i · b_i over n bytes (a positive multiple of 32:
;; 8 floats) of float32 vectors at byte offsets a and b of the imported memory. Four 4-lane
;; accumulators, 16 floats per loop step (four independent addition chains: the loop was bound by
;; the latency of two), then one 8-float step into the first two when n is an odd multiple of 32,
;; then ((acc0 + acc1) + (acc2 + acc3)) and (l0 + l1) + (l2 + l3): the order the pure-TS fallback
;; copies. For n = 32 this is exactly the sum of the earlier two-accumulator kernel.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func $l2 (export "l2") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $end64 i32) (local $acc0 v128) (local $acc1 v128) (local $d v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (local.set $end64 (i32.sub (local.get $end) (i32.const 32)))
    (block $tail
      (br_if $tail (i32.ge_u (local.get $a) (local.get $end64)))
      (loop $next
        (local.set $acc0
          (f32x4.add
            (f32x4.mul
              (local.tee $d (f32x4.sub (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b))))
              (local.get $d))
            (local.get $acc0)))
        (local.set $acc1
          (f32x4.add
            (f32x4.mul
              (local.tee $d (f32x4.sub (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b))))
              (local.get $d))
            (local.get $acc1)))
        (local.set $acc2
          (f32x4.add
            (f32x4.mul
              (local.tee $d (f32x4.sub (v128.load offset=32 align=4 (local.get $a)) (v128.load offset=32 align=4 (local.get $b))))
              (local.get $d))
            (local.get $acc2)))
        (local.set $acc3
          (f32x4.add
            (f32x4.mul
              (local.tee $d (f32x4.sub (v128.load offset=48 align=4 (local.get $a)) (v128.load offset=48 align=4 (local.get $b))))
              (local.get $d))
            (local.get $acc3)))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br_if $next (i32.lt_u (local.get $a) (local.get $end64)))))
    (if (i32.lt_u (local.get $a) (local.get $end))
      (then
        (local.set $acc0
          (f32x4.add
            (f32x4.mul
              (local.tee $d (f32x4.sub (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b))))
              (local.get $d))
            (local.get $acc0)))
        (local.set $acc1
          (f32x4.add
            (f32x4.mul
              (local.tee $d (f32x4.sub (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b))))
              (local.get $d))
            (local.get $acc1)))))
    (local.set $acc0
      (f32x4.add
        (f32x4.add (local.get $acc0) (local.get $acc1))
        (f32x4.add (local.get $acc2) (local.get $acc3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
  (func $dot (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $end64 i32) (local $acc0 v128) (local $acc1 v128) (local $d v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (local.set $end64 (i32.sub (local.get $end) (i32.const 32)))
    (block $tail
      (br_if $tail (i32.ge_u (local.get $a) (local.get $end64)))
      (loop $next
        (local.set $acc0
          (f32x4.add
            (f32x4.mul (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b)))
            (local.get $acc0)))
        (local.set $acc1
          (f32x4.add
            (f32x4.mul (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b)))
            (local.get $acc1)))
        (local.set $acc2
          (f32x4.add
            (f32x4.mul (v128.load offset=32 align=4 (local.get $a)) (v128.load offset=32 align=4 (local.get $b)))
            (local.get $acc2)))
        (local.set $acc3
          (f32x4.add
            (f32x4.mul (v128.load offset=48 align=4 (local.get $a)) (v128.load offset=48 align=4 (local.get $b)))
            (local.get $acc3)))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br_if $next (i32.lt_u (local.get $a) (local.get $end64)))))
    (if (i32.lt_u (local.get $a) (local.get $end))
      (then
        (local.set $acc0
          (f32x4.add
            (f32x4.mul (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b)))
            (local.get $acc0)))
        (local.set $acc1
          (f32x4.add
            (f32x4.mul (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b)))
            (local.get $acc1)))))
    (local.set $acc0
      (f32x4.add
        (f32x4.add (local.get $acc0) (local.get $acc1))
        (f32x4.add (local.get $acc2) (local.get $acc3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
  ;; l2_many(q, list, count, n, out) and dot_many: for i in 0 … count − 1, the f32 at out + 4i gets
  ;; l2(q, list[i], n) (dot(q, list[i], n)), list[i] being the i32 at list + 4i (a byte offset): the
  ;; distances from the query to every unvisited neighbour of a node in one call from JS instead of
  ;; one call each, each exactly what l2 / dot returns.
  (func (export "l2_many") (param $q i32) (param $list i32) (param $count i32) (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $list) (local.get $end)))
      (loop $next
        (f32.store (local.get $out) (call $l2 (local.get $q) (i32.load (local.get $list)) (local.get $n)))
        (local.set $list (i32.add (local.get $list) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $list) (local.get $end))))))
  (func (export "dot_many") (param $q i32) (param $list i32) (param $count i32) (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $list) (local.get $end)))
      (loop $next
        (f32.store (local.get $out) (call $dot (local.get $q) (i32.load (local.get $list)) (local.get $n)))
        (local.set $list (i32.add (local.get $list) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $list) (local.get $end)))))))
