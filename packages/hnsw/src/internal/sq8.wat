;; SQ8 byte kernels of sq8.ts, in text form: the bytes that sq8.ts assembles by hand
;; (sq8ModuleBytes) are exactly what this assembles to (checked by test/wat-sources.test.ts with
;; wabt). Change both together.
;;
;; l2(a, b, n) = Σ (a_i − b_i)² and dot(a, b, n) = Σ a_i · b_i over n bytes (a positive multiple of 16)
;; of unsigned byte codes at offsets a and b of the imported memory: 16 codes per step, widened to
;; 16-bit lanes, pairs multiplied and added into 32-bit lanes (i32x4.dot_i16x8_s).
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "l2") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $end i32) (local $acc v128) (local $va v128) (local $vb v128) (local $t v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $next
      (local.set $va (v128.load align=1 (local.get $a)))
      (local.set $vb (v128.load align=1 (local.get $b)))
      (local.set $acc
        (i32x4.add
          (i32x4.dot_i16x8_s
            (local.tee $t (i16x8.sub (i16x8.extend_low_i8x16_u (local.get $va)) (i16x8.extend_low_i8x16_u (local.get $vb))))
            (local.get $t))
          (local.get $acc)))
      (local.set $acc
        (i32x4.add
          (i32x4.dot_i16x8_s
            (local.tee $t (i16x8.sub (i16x8.extend_high_i8x16_u (local.get $va)) (i16x8.extend_high_i8x16_u (local.get $vb))))
            (local.get $t))
          (local.get $acc)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
  (func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $end i32) (local $acc v128) (local $va v128) (local $vb v128) (local $t v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $next
      (local.set $va (v128.load align=1 (local.get $a)))
      (local.set $vb (v128.load align=1 (local.get $b)))
      (local.set $acc
        (i32x4.add
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $va)) (i16x8.extend_low_i8x16_u (local.get $vb)))
          (local.get $acc)))
      (local.set $acc
        (i32x4.add
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $va)) (i16x8.extend_high_i8x16_u (local.get $vb)))
          (local.get $acc)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
