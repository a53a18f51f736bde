@echo off
rem 双击启动年报桌面模式：在浏览器中填写报告 (double-click: the desktop mode)
chcp 65001 >nul
"%~dp0nianbao.exe" %*
if errorlevel 1 pause
