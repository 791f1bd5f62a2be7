export async function run(): Promise<void> {
  console.log('bench section scale: not written yet')
}
