-- cloudtrail_version() reports the VERSION file (readfile() is the shell's).
SELECT cloudtrail_version() = trim(CAST(readfile('VERSION') AS TEXT), char(10));
SELECT typeof(cloudtrail_version());
