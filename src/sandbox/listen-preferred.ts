/** Listens on the preferred port, or on any free port when it is taken (a second sandbox, a busy machine). */
export async function listenPreferred<T>(
  listen: (port: number) => Promise<T>,
  preferred: number,
): Promise<T> {
  try {
    return await listen(preferred);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return listen(0);
  }
}
