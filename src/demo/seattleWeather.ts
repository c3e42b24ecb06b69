/** A raw day of the Seattle weather data set (vega-datasets, NOAA): what the demo app would have. */
// A type alias, not an interface, so it is assignable to RawRecord's index signature.
export type WeatherRecord = {
  readonly date: string;
  readonly precipitation: number;
  readonly temp_max: number;
  readonly temp_min: number;
  readonly wind: number;
  readonly weather: WeatherLabel;
};

/** The five classes of the `weather` column, in the model's output order. */
export const WEATHER_LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'] as const;
export type WeatherLabel = (typeof WEATHER_LABELS)[number];

/** Parses `seattle-weather.csv` (header `date,precipitation,temp_max,temp_min,wind,weather`). */
export function parseSeattleWeather(csv: string): WeatherRecord[] {
  const lines = csv.trim().split(/\r?\n/);
  const header = lines.shift()?.split(',') ?? [];
  const expected = 'date,precipitation,temp_max,temp_min,wind,weather';
  if (header.join(',') !== expected) throw new Error(`Unexpected header "${header.join(',')}", wanted "${expected}"`);
  return lines.map((line) => {
    const [date, precipitation, tempMax, tempMin, wind, weather] = line.split(',');
    if (!(WEATHER_LABELS as readonly string[]).includes(weather)) throw new Error(`Unknown weather "${weather}" on ${date}`);
    return {
      date,
      precipitation: Number(precipitation),
      temp_max: Number(tempMax),
      temp_min: Number(tempMin),
      wind: Number(wind),
      weather: weather as WeatherLabel,
    };
  });
}

/** Records whose date falls in the given calendar years (inclusive). */
export function byYears<T extends { date: string }>(records: readonly T[], from: number, to = from): T[] {
  return records.filter((r) => {
    const year = Number(r.date.slice(0, 4));
    return year >= from && year <= to;
  });
}
