// Loaded with `node --require` ahead of the bundle (through NODE_OPTIONS): shifts
// the wall clock (Date.now) by UPDYN_CLOCK_SHIFT_MS, as a router whose clock
// jumps (a bad RTC, NTP fighting a GPS) would see it. The monotonic clock is
// left alone, as the kernel leaves it.
const shift = Number(process.env.UPDYN_CLOCK_SHIFT_MS ?? 0);
if (shift !== 0) {
  const real = Date.now.bind(Date);
  Date.now = () => real() + shift;
}
